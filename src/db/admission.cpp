// CoDel's standing-queue test applied to admission (see admission.hpp).
#include "db/admission.hpp"

#include <algorithm>
#include <cstdint>

namespace onboardd::db {

void AdmissionGate::CountDepartures(TimePoint now) {
  if (!rate_since_) rate_since_ = now;
  if (now - *rate_since_ < options_.interval) return;
  departed_before_ = now - *rate_since_ < 2 * options_.interval ? departed_now_ : 0;
  departed_now_ = 0;
  rate_since_ = now;
}

std::size_t AdmissionGate::DeparturesPerInterval(TimePoint now) const {
  if (rate_since_ && now - *rate_since_ >= options_.interval) {
    // CountDepartures would close the current interval: it becomes the one before.
    return now - *rate_since_ < 2 * options_.interval ? departed_now_ : 0;
  }
  return std::max(departed_before_, departed_now_);
}

bool AdmissionGate::RefusalsStopped(TimePoint now) const {
  return !last_refusal_ || now - *last_refusal_ >= options_.interval;
}

void AdmissionGate::ServedAtOnce(TimePoint now) {
  CountDepartures(now);
  ++departed_now_;
  if (overloaded_ && RefusalsStopped(now)) {
    window_end_.reset();
    overloaded_ = false;
  }
}

bool AdmissionGate::Admit(TimePoint now, std::size_t waiting, TimePoint deadline,
                          Admission admission) {
  bool admitted = waiting < options_.max_waiters;
  if (admission == Admission::kGated) {
    CountDepartures(now);
    admitted = WouldAdmit(now, waiting, deadline);
  }
  if (!admitted) Refused(now);
  return admitted;
}

bool AdmissionGate::WouldAdmit(TimePoint now, std::size_t waiting, TimePoint deadline) const {
  if (waiting >= options_.max_waiters) return false;
  // An empty queue takes one, even standing: it was emptied by refusals or deadlines, and
  // only a waiter served from it can end the state (Left); refused, a quiet pool whose
  // waiters all expired in an outage would refuse every wait afterwards.
  if (!overloaded_ || waiting == 0) return true;
  const std::size_t per_interval = DeparturesPerInterval(now);
  if (per_interval == 0) return false;
  const auto drain = options_.interval * static_cast<std::int64_t>(waiting + 1) /
                     static_cast<std::int64_t>(per_interval);
  return drain <= options_.standing_wait && now + drain <= deadline;
}

void AdmissionGate::Left(TimePoint now, Duration sojourn, std::size_t waiting, bool served) {
  CountDepartures(now);
  if (served) {
    ++departed_now_;
  } else {
    Refused(now);
  }
  const bool refusals_stopped = RefusalsStopped(now);
  // A standing queue emptied by refusals at its head (RefusesAtHead) or by deadlines has not
  // drained: only a served waiter leaving it empty ends the state, and only an interval after
  // the last refusal, as a short wait. (Counting the emptiness alone, a purge of stale heads
  // ended it; counting a served waiter's, the gate's own refusals emptied it: either way the
  // queue refilled to its bound before the next interval found it standing again, its waiters
  // then refused at the head after a second or more.) Before it stands, any empty queue
  // restarts the window.
  if ((served && (sojourn < options_.target || waiting == 0) &&
       (refusals_stopped || !overloaded_)) ||
      (waiting == 0 && !overloaded_)) {
    window_end_.reset();
    overloaded_ = false;
    return;
  }
  if (overloaded_) return;
  if (!window_end_) {
    window_end_ = now + options_.interval;
    waiting_at_start_ = waiting;
    return;
  }
  if (now < *window_end_) return;
  if (10 * waiting < 9 * waiting_at_start_) {
    // Above target for a whole interval but draining: a backlog (after a pause) that the
    // connections are working off. Watch the next interval. Draining means shorter by more
    // than a tenth: a queue held at its length bound by arrivals only wavers (at 10x the
    // step route's capacity, 1,957 then 1,943 then 1,891 waiting, each a little shorter than
    // the one before), and read as draining it went four seconds without standing, the line
    // graduates keeping it full. A backlog below capacity drains faster: at 85 % load, 15 %
    // of the capacity per second.
    window_end_ = now + options_.interval;
    waiting_at_start_ = waiting;
    return;
  }
  overloaded_ = true;
  window_end_.reset();
}

}  // namespace onboardd::db
