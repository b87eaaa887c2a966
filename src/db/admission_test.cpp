#include "db/admission.hpp"

#include <gtest/gtest.h>

namespace onboardd::db {
namespace {

using namespace std::chrono_literals;
using TimePoint = AdmissionGate::TimePoint;

AdmissionOptions Options() {
  AdmissionOptions o;
  o.max_waiters = 100;
  o.target = 50ms;
  o.interval = 500ms;
  o.standing_wait = 1s;
  return o;
}

// A made-up clock: the gate only ever sees the times these tests hand it.
const TimePoint kStart{};

// Whether an arrival at `now` with `budget` left before its deadline may queue.
bool Admit(AdmissionGate& gate, TimePoint now, std::size_t waiting,
           std::chrono::milliseconds budget = 5s) {
  return gate.Admit(now, waiting, now + budget);
}

TEST(AdmissionGate, AdmitsUntilTheQueueIsFull) {
  AdmissionGate gate(Options());
  EXPECT_TRUE(Admit(gate, kStart, 0));
  EXPECT_TRUE(Admit(gate, kStart, 99));
  EXPECT_FALSE(Admit(gate, kStart, 100));
  EXPECT_FALSE(Admit(gate, kStart, 500));
}

TEST(AdmissionGate, ShortWaitsNeverShed) {
  AdmissionGate gate(Options());
  for (int ms = 0; ms < 10'000; ms += 10) {
    gate.Left(kStart + std::chrono::milliseconds(ms), 49ms, 50);
  }
  EXPECT_FALSE(gate.overloaded());
  EXPECT_TRUE(Admit(gate, kStart + 10s, 50));
}

TEST(AdmissionGate, AQueueStandingAboveTargetForAnIntervalIsOverload) {
  AdmissionGate gate(Options());
  gate.Left(kStart, 80ms, 20);
  gate.Left(kStart + 499ms, 80ms, 20);
  EXPECT_FALSE(gate.overloaded()) << "not yet a whole interval";
  gate.Left(kStart + 500ms, 80ms, 20);
  EXPECT_TRUE(gate.overloaded());
}

// `n` arrivals at `now` that the gate counts without deciding on them (admitted by an earlier
// queue, the queue short of its bound).
void Arrive(AdmissionGate& gate, TimePoint now, int n = 1) {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(gate.Admit(now, 0, now + 5s, Admission::kAlreadyAdmitted));
  }
}

// 100 departures over the first interval (500 ms), every one after 80 ms, the queue at 50,
// and `arrivals_per_100` arrivals per 100 departures (by default three times as many: arrivals
// outpace the queue, far beyond chance): the gate stands, serving 100 an interval, at
// kStart + 500 ms.
void Stand(AdmissionGate& gate, int arrivals_per_100 = 300) {
  int arrived = 0;
  for (int departed = 1, ms = 0; ms <= 500; ms += 5, ++departed) {
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    Arrive(gate, now, departed * arrivals_per_100 / 100 - arrived);
    arrived = departed * arrivals_per_100 / 100;
    gate.Left(now, 80ms, 50);
  }
}

TEST(AdmissionGate, WhileItStandsOnlyArrivalsTheQueueServesInTimeAreAdmitted) {
  AdmissionGate gate(Options());
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  // 99 ahead drain in 500 ms.
  const TimePoint now = kStart + 500ms;
  EXPECT_TRUE(Admit(gate, now, 49, 300ms));
  EXPECT_FALSE(Admit(gate, now, 99, 400ms)) << "refused at once, not at its deadline";
  EXPECT_TRUE(Admit(gate, now, 99, 600ms));
}

// WouldAdmit is Admit without the bookkeeping: the same answer at every moment, also when an
// interval of departures ends between two calls. (Admit then counts the arrival, which
// WouldAdmit does not: a request refused on WouldAdmit's answer is counted by Refused.)
TEST(AdmissionGate, WouldAdmitAnswersAsAdmitWould) {
  AdmissionGate gate(Options());
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  int refused = 0;
  int admitted = 0;
  for (int ms = 500; ms <= 2500; ms += 50) {
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    if (ms == 700) {
      // One more served, after a long wait: the state holds, the count moves.
      gate.Left(now, 80ms, 50);
    }
    for (std::size_t waiting : {0, 1, 49, 99, 150}) {
      const bool would = gate.WouldAdmit(now, waiting, now + 5s);
      EXPECT_EQ(would, Admit(gate, now, waiting)) << ms << " ms, " << waiting << " waiting";
      (would ? admitted : refused) += 1;
    }
  }
  EXPECT_GT(admitted, 0);
  EXPECT_GT(refused, 0);
  // A full queue is refused, whatever the state.
  EXPECT_FALSE(gate.WouldAdmit(kStart + 600ms, 100, kStart + 10s));
}

TEST(AdmissionGate, WhileItStandsNoArrivalIsAdmittedToWaitLongerThanTheStandingWait) {
  AdmissionOptions options = Options();
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  // 199 ahead drain in 1 s, the standing wait; 250 in 1.25 s.
  const TimePoint now = kStart + 500ms;
  EXPECT_TRUE(Admit(gate, now, 199, 60s));
  EXPECT_FALSE(Admit(gate, now, 250, 60s)) << "a deadline a minute away changes nothing";
}

TEST(AdmissionGate, AnArrivalAdmittedByAnEarlierQueueIsRefusedOnlyForLength) {
  AdmissionGate gate(Options());
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  const TimePoint now = kStart + 500ms;
  EXPECT_FALSE(gate.Admit(now, 99, now + 400ms)) << "a first arrival: refused while it stands";
  EXPECT_TRUE(gate.Admit(now, 99, now + 400ms, Admission::kAlreadyAdmitted));
  EXPECT_FALSE(gate.Admit(now, 100, now + 60s, Admission::kAlreadyAdmitted)) << "full";
}

TEST(AdmissionGate, AStandingQueueRefusesAtItsHeadWhoWaitedTwiceTheStandingWait) {
  AdmissionGate gate(Options());  // standing wait 1 s
  EXPECT_FALSE(gate.RefusesAtHead(kStart, 3s)) << "not standing: a backlog is served";
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  EXPECT_TRUE(gate.RefusesAtHead(kStart + 500ms, 2001ms));
  EXPECT_FALSE(gate.RefusesAtHead(kStart + 500ms, 2s))
      << "admitted to wait 1 s; served when the rate dipped";
}

TEST(AdmissionGate, AStandingQueueNothingLeavesRefusesEveryArrival) {
  AdmissionGate gate(Options());
  gate.Left(kStart, 80ms, 20);
  gate.Left(kStart + 500ms, 80ms, 20);
  ASSERT_TRUE(gate.overloaded());
  EXPECT_FALSE(Admit(gate, kStart + 2s, 1, 60s)) << "no departure for a whole interval";
}

TEST(AdmissionGate, AGrowingQueueIsOverload) {
  AdmissionGate gate(Options());
  gate.Left(kStart, 60ms, 10);
  gate.Left(kStart + 600ms, 200ms, 40);
  EXPECT_TRUE(gate.overloaded());
}

TEST(AdmissionGate, ABacklogThatDrainsAfterAPauseIsNotOverload) {
  // A two-second pause: everyone queued meanwhile waited long, but the queue shrinks.
  AdmissionOptions options = Options();
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  std::size_t waiting = 400;
  for (int ms = 0; ms <= 3'000; ms += 10) {
    gate.Left(kStart + std::chrono::milliseconds(ms), 2s, waiting);
    EXPECT_FALSE(gate.overloaded()) << "at " << ms << " ms";
    EXPECT_TRUE(Admit(gate, kStart + std::chrono::milliseconds(ms), waiting));
    waiting -= 1;
  }
}

TEST(AdmissionGate, AQueueHeldAtItsLengthBoundStandsThoughItWavers) {
  // Arrivals keep it full; between two looks it may be a few shorter. That is not a backlog
  // draining.
  AdmissionOptions options = Options();
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  std::size_t waiting = 1000;
  for (int ms = 0; ms <= 500; ms += 10) {
    gate.Left(kStart + std::chrono::milliseconds(ms), 2s, waiting);
    waiting -= (ms % 20 == 0) ? 2 : 0;  // 950 after the interval: a twentieth shorter
  }
  EXPECT_TRUE(gate.overloaded());
}

TEST(AdmissionGate, OneQuickWaitRestartsTheInterval) {
  AdmissionGate gate(Options());
  gate.Left(kStart, 80ms, 20);
  gate.Left(kStart + 400ms, 10ms, 20);  // below target: the queue is not standing
  gate.Left(kStart + 600ms, 80ms, 20);  // a new window begins here
  EXPECT_FALSE(gate.overloaded());
  gate.Left(kStart + 1100ms, 80ms, 20);
  EXPECT_TRUE(gate.overloaded());
}

TEST(AdmissionGate, AnEmptyQueueRestartsTheInterval) {
  AdmissionGate gate(Options());
  gate.Left(kStart, 80ms, 20);
  gate.Left(kStart + 300ms, 80ms, 0);
  gate.Left(kStart + 600ms, 80ms, 20);
  EXPECT_FALSE(gate.overloaded());
}

TEST(AdmissionGate, OverloadEndsWithAQuickWaitOrAnEmptyQueue) {
  AdmissionGate gate(Options());
  gate.Left(kStart, 80ms, 20);
  gate.Left(kStart + 500ms, 80ms, 20);
  ASSERT_TRUE(gate.overloaded());
  gate.Left(kStart + 510ms, 70ms, 10);  // shedding drains the queue; still slow: stays
  EXPECT_TRUE(gate.overloaded());
  gate.Left(kStart + 520ms, 20ms, 5);
  EXPECT_FALSE(gate.overloaded());
  EXPECT_TRUE(Admit(gate, kStart + 520ms, 5));

  gate.Left(kStart + 600ms, 80ms, 20);
  gate.Left(kStart + 1100ms, 80ms, 20);
  ASSERT_TRUE(gate.overloaded());
  gate.Left(kStart + 1110ms, 300ms, 0);
  EXPECT_FALSE(gate.overloaded());
}

TEST(AdmissionGate, AQuickWaitEndsOverloadOnlyAnIntervalAfterTheLastRefusal) {
  // While it stands the gate admits only what it expects to serve quickly: those waits are
  // short by its doing, not because arrivals stopped outpacing the queue.
  AdmissionGate gate(Options());  // interval 500 ms, target 50 ms
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  EXPECT_FALSE(Admit(gate, kStart + 510ms, 99, 400ms));
  gate.Left(kStart + 520ms, 20ms, 5);
  EXPECT_TRUE(gate.overloaded()) << "refused 10 ms before";
  gate.Refused(kStart + 700ms);  // refused on WouldAdmit's answer
  gate.Left(kStart + 1100ms, 20ms, 5);
  EXPECT_TRUE(gate.overloaded()) << "refused 400 ms before";
  gate.Left(kStart + 1150ms, 300ms, 5, /*served=*/false);  // left unserved: a refusal too
  gate.Left(kStart + 1600ms, 20ms, 5);
  EXPECT_TRUE(gate.overloaded()) << "left unserved 450 ms before";
  gate.Left(kStart + 1650ms, 20ms, 5);
  EXPECT_FALSE(gate.overloaded()) << "a quick wait, a whole interval after the last refusal";
}

TEST(AdmissionGate, AWaiterWhoseDeadlinePassedDoesNotEndOverload) {
  // Under overload, arrivals that spent most of their deadline in an earlier queue leave
  // this one after a short wait, unserved: that says nothing of how fast it drains.
  AdmissionGate gate(Options());
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  gate.Left(kStart + 510ms, 5ms, 40, /*served=*/false);
  EXPECT_TRUE(gate.overloaded());
  EXPECT_FALSE(Admit(gate, kStart + 510ms, 99, 400ms));
  gate.Left(kStart + 520ms, 5ms, 0, /*served=*/false);
  EXPECT_TRUE(gate.overloaded()) << "emptied by deadlines, not drained";
  gate.Left(kStart + 530ms, 700ms, 0);
  EXPECT_TRUE(gate.overloaded()) << "served and empty, but 10 ms after a refusal";
  gate.Left(kStart + 1030ms, 700ms, 0);
  EXPECT_FALSE(gate.overloaded()) << "a served waiter leaves it empty an interval later: drained";
}

TEST(AdmissionGate, AQueueEmptiedWhileArrivalsAreStillRefusedStillStands) {
  // The gate's own refusals keep a standing queue short, often empty: a waiter served from it
  // says nothing of the arrivals. Ending the state there let the queue refill to its bound and
  // stand again an interval later, its waiters refused at the head after a second or more.
  AdmissionGate gate(Options());
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  for (int ms = 510; ms < 2000; ms += 100) {
    gate.Refused(kStart + std::chrono::milliseconds(ms));
    gate.Left(kStart + std::chrono::milliseconds(ms + 50), 10ms, 0);
    ASSERT_TRUE(gate.overloaded()) << "at " << ms << " ms";
  }
  gate.Left(kStart + 2500ms, 10ms, 0);
  EXPECT_FALSE(gate.overloaded()) << "an interval after the last refusal";
}

TEST(AdmissionGate, RequestsServedAtOnceCountTowardsTheRate) {
  // While it stands the queue is short and many requests find a connection free: the pool
  // serves them too, and an arrival behind the queue moves at the pool's whole rate.
  AdmissionOptions options = Options();  // interval 500 ms, standing wait 1 s
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  Stand(gate);  // 100 waiters served in the first 500 ms
  ASSERT_TRUE(gate.overloaded());
  gate.Refused(kStart + 505ms);
  for (int i = 0; i < 100; ++i) {
    Arrive(gate, kStart + 510ms + std::chrono::milliseconds(i), 2);
    gate.Left(kStart + 510ms + std::chrono::milliseconds(i), 80ms, 5);
  }
  EXPECT_FALSE(Admit(gate, kStart + 650ms, 299, 60s)) << "300 at 100 per 500 ms: 1.5 s";
  for (int i = 0; i < 300; ++i) gate.ServedAtOnce(kStart + 700ms + std::chrono::milliseconds(i));
  EXPECT_TRUE(Admit(gate, kStart + 1000ms, 299, 60s)) << "300 at 400 per 500 ms: 375 ms";
  EXPECT_TRUE(gate.overloaded()) << "the last refusal 350 ms before: still standing";
  gate.ServedAtOnce(kStart + 1200ms);
  EXPECT_FALSE(gate.overloaded()) << "served at once, an interval after the last refusal";
}

TEST(AdmissionGate, AQueueEmptiedByRefusalsAtItsHeadStillStands) {
  // RefusesAtHead purges every stale waiter at once, often the whole queue: that is the gate
  // acting, not the queue draining. Ending the state then let the queue refill to its bound
  // before the next interval found it standing again.
  AdmissionGate gate(Options());
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  for (std::size_t left = 50; left-- > 0;) {
    ASSERT_TRUE(gate.RefusesAtHead(kStart + 510ms, 2500ms));
    gate.Left(kStart + 510ms, 2500ms, left, /*served=*/false);
  }
  EXPECT_TRUE(gate.overloaded());
  EXPECT_FALSE(Admit(gate, kStart + 510ms, 250, 60s)) << "still admits only what drains in time";
}

TEST(AdmissionGate, AStandingQueueThatEmptiedServingNoneAdmitsOneAndEndsWhenItIsServed) {
  // An outage: every waiter's deadline passed, none was served for two intervals. The state
  // must not outlive it: the next wait is admitted, and its service ends the state.
  AdmissionGate gate(Options());
  Stand(gate);
  ASSERT_TRUE(gate.overloaded());
  for (std::size_t left = 50; left-- > 0;) gate.Left(kStart + 600ms, 5s, left, /*served=*/false);
  ASSERT_TRUE(gate.overloaded());
  const TimePoint later = kStart + 10s;
  EXPECT_FALSE(Admit(gate, later, 1)) << "nothing served for two intervals: refused";
  EXPECT_TRUE(Admit(gate, later, 0)) << "an empty queue takes one";
  gate.Left(later + 300ms, 300ms, 0);
  EXPECT_TRUE(gate.overloaded()) << "the arrival refused 300 ms before";
  EXPECT_TRUE(Admit(gate, later + 300ms, 0));
  gate.Left(later + 600ms, 300ms, 0);
  EXPECT_FALSE(gate.overloaded()) << "served, an interval after the last refusal";
}

TEST(AdmissionGate, BeforeItStandsAnyEmptyQueueRestartsTheInterval) {
  AdmissionGate gate(Options());
  gate.Left(kStart, 80ms, 0, /*served=*/false);
  gate.Left(kStart + 600ms, 80ms, 0, /*served=*/false);
  EXPECT_FALSE(gate.overloaded()) << "an empty queue never stands";
  EXPECT_TRUE(Admit(gate, kStart + 600ms, 0));
}

TEST(AdmissionGate, OnlyServedWaitersCountTowardsTheRateItDrainsAt) {
  // Waiters whose deadline passes leave too, but an arrival behind them waits for the ones
  // served: counting the expired as departures would admit more to expire in turn.
  AdmissionOptions options = Options();  // standing wait 1 s
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  Stand(gate);  // 100 served per 500 ms
  ASSERT_TRUE(gate.overloaded());
  for (int i = 0; i < 400; ++i) {
    gate.Left(kStart + 510ms + std::chrono::milliseconds(i), 300ms, 50, /*served=*/false);
  }
  EXPECT_FALSE(Admit(gate, kStart + 950ms, 299, 60s)) << "300 at 100 per 500 ms: 1.5 s";
  EXPECT_TRUE(Admit(gate, kStart + 950ms, 150, 60s));
}

// A finite population (the wizard's users, each waiting for an answer before asking again)
// on a machine slowed below their pace: the queue stands above target, but arrivals come no
// faster than the queue is served. Refusing them would answer 503 to work done in time.
TEST(AdmissionGate, AStandingQueueArrivalsDoNotOutpaceIsRefusedOnlyByTheDeadline) {
  AdmissionOptions options = Options();  // standing wait 1 s, 100 served per 500 ms
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  Stand(gate, /*arrivals_per_100=*/100);
  ASSERT_TRUE(gate.overloaded());
  const TimePoint now = kStart + 500ms;
  EXPECT_TRUE(gate.WouldAdmit(now, 599, now + 5s)) << "600 ahead: 3 s, within the deadline";
  EXPECT_FALSE(gate.WouldAdmit(now, 599, now + 2s)) << "past its deadline";
  EXPECT_FALSE(gate.RefusesAtHead(now, 4s)) << "served late, but served";
}

// Arrivals 1.25 times as fast as the queue is served: its wait grows by a quarter of a second
// each second. The gate admits up to standing_wait / 0.25 less chance's share of the excess,
// between 4 and 5 s at these counts, and refuses at the head only past twice that.
TEST(AdmissionGate, ArrivalsALittleFasterThanServedAreAdmittedToWaitLonger) {
  AdmissionOptions options = Options();  // interval 500 ms, standing wait 1 s
  options.max_waiters = 1'000'000;
  AdmissionGate gate(options);
  // 10,000 served per interval, 12,500 arrive: 3 standard deviations of chance are 450.
  for (int ms = 0; ms <= 500; ms += 2) {
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    Arrive(gate, now, 50);
    for (int i = 0; i < 40; ++i) gate.Left(now, 80ms, 50'000);
  }
  ASSERT_TRUE(gate.overloaded());
  const TimePoint now = kStart + 500ms;
  EXPECT_TRUE(gate.WouldAdmit(now, 79'999, now + 60s)) << "4 s";
  EXPECT_FALSE(gate.WouldAdmit(now, 99'999, now + 60s)) << "5 s";
  EXPECT_FALSE(gate.RefusesAtHead(now, 7900ms));
  EXPECT_TRUE(gate.RefusesAtHead(now, 10100ms));
}

// Two I/O threads share a finite crowd: which thread a user's next request reaches is chance,
// and one pool may see a few more arrivals than departures over an interval, at a rate where a
// few is a lot (fault_test's Pauses: every 40 ms chunk delayed, a pool served 6 and met 10
// arrivals over a second the database paused, 19 queued; capped, the crowd was answered 503).
// That is no overload: an excess within 3 standard deviations of chance sets no cap.
TEST(AdmissionGate, AnExcessOfArrivalsWithinChanceSetsNoCap) {
  AdmissionOptions options = Options();  // interval 500 ms, standing wait 1 s
  AdmissionGate gate(options);
  for (int ms = 0; ms < 2000; ms += 100) {  // 5 served per interval; 5 arrive, then 9
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    Arrive(gate, now, ms < 1000 || ms % 500 == 0 ? 1 : 2);
    gate.Left(now, 800ms, 10);
  }
  ASSERT_TRUE(gate.overloaded());
  const TimePoint now = kStart + 2000ms;
  // Counted at face value, 18 arrivals for 10 departures, or 28 for 20, would cap the wait at
  // 2.5 s.
  EXPECT_TRUE(gate.WouldAdmit(now, 29, now + 5s)) << "30 at 5 per 500 ms: 3 s";
  EXPECT_FALSE(gate.RefusesAtHead(now, 5500ms));
}

// A crowd queues at once (the first of the wizard's users, all arriving in the same moment),
// then asks no faster than it is served. Counted over five intervals, its arrival makes
// arrivals outpace departures for five intervals after it; over the last two, they balance
// as soon as the crowd stops growing, and no cap applies.
TEST(AdmissionGate, ACrowdThatQueuedAtOnceOutpacesOnlyWhileItGrows) {
  AdmissionOptions options = Options();  // interval 500 ms, standing wait 1 s
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  Arrive(gate, kStart, 600);
  for (int ms = 0; ms < 1500; ms += 5) {  // 100 served per interval, each followed by one more
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    gate.Left(now, 80ms, 600);
    Arrive(gate, now);
  }
  ASSERT_TRUE(gate.overloaded());
  const TimePoint now = kStart + 1500ms;
  EXPECT_TRUE(gate.WouldAdmit(now, 599, now + 5s)) << "3 s, within the deadline";
  EXPECT_FALSE(gate.RefusesAtHead(now, 4s));
}

// Arrivals below the pace a pausing machine keeps on average: over the last interval, a pause,
// they outpace departures; over five, they do not. A pause is no overload: no cap applies.
TEST(AdmissionGate, ArrivalsThatOutpaceOnlyAPauseSetNoCap) {
  AdmissionOptions options = Options();  // interval 500 ms, standing wait 1 s
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  for (int ms = 0; ms < 2000; ms += 5) {  // 100 served per interval, 90 arrive
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    if (ms % 50 != 0) Arrive(gate, now);
    gate.Left(now, 80ms, 150);
  }
  ASSERT_TRUE(gate.overloaded());
  for (int ms = 2000; ms < 2500; ms += 5) {  // paused: 5 served, 90 arrive
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    if (ms % 50 != 0) Arrive(gate, now);
    if (ms % 100 == 0) gate.Left(now, 600ms, 150);
  }
  const TimePoint now = kStart + 2500ms;
  // 301 at 76 per 500 ms (the average of the last four intervals): 2 s.
  EXPECT_TRUE(gate.WouldAdmit(now, 300, now + 5s));
  EXPECT_FALSE(gate.RefusesAtHead(now, 3s));
}

// A machine that pauses (a stopped database, a starved core) serves in bursts: an interval may
// hold a handful of departures between two that hold hundreds. The drain is estimated at the
// rate over the last intervals, pauses included, not at the last interval's alone.
TEST(AdmissionGate, ThePaceOfAPausingMachineIsItsAverage) {
  AdmissionOptions options = Options();  // interval 500 ms, standing wait 1 s
  options.max_waiters = 1000;
  AdmissionGate gate(options);
  for (int ms = 0; ms < 2000; ms += 5) {  // 100 served per interval, as many arrive
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    Arrive(gate, now);
    gate.Left(now, 80ms, 150);
  }
  ASSERT_TRUE(gate.overloaded());
  for (int ms = 2000; ms < 2500; ms += 100) {  // paused: 5 served, 5 arrive
    const TimePoint now = kStart + std::chrono::milliseconds(ms);
    Arrive(gate, now);
    gate.Left(now, 600ms, 150);
  }
  const TimePoint now = kStart + 2500ms;
  // The last interval alone: 151 at 5 per 500 ms, 15 s. The last four: 76 per 500 ms, 1 s.
  EXPECT_TRUE(gate.WouldAdmit(now, 150, now + 5s));
  EXPECT_FALSE(gate.WouldAdmit(now, 150, now + 900ms)) << "still past a deadline it would miss";
}

}  // namespace
}  // namespace onboardd::db
