// CoDel's standing-queue test applied to admission (see admission.hpp).
#include "db/admission.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace onboardd::db {

AdmissionGate::Window AdmissionGate::At(TimePoint now) const {
  Window w = window_;
  if (!w.since) {
    w.since = now;
    return w;
  }
  const auto elapsed = now - *w.since;
  if (elapsed < options_.interval) return w;
  // The current interval closes; after it, as many empty ones as whole intervals passed
  // without an event.
  const auto empty = std::min<std::int64_t>(elapsed / options_.interval - 1, kRateIntervals);
  const auto shift = static_cast<std::size_t>(empty) + 1;
  for (std::size_t i = kRateIntervals; i-- > 0;) {
    w.past[i] = i >= shift ? w.past[i - shift] : Counts{};
  }
  if (shift <= kRateIntervals) w.past[shift - 1] = w.current;
  w.current = {};
  w.since = now;
  return w;
}

std::optional<AdmissionGate::Duration> AdmissionGate::AllowedWait(const Window& w) const {
  // Over the last whole interval and the current one, then over every interval counted: the
  // span where arrivals outpace departures less, beyond chance, sets the cap (see the header
  // comment).
  Counts recent = w.current;
  recent.arrived += w.past[0].arrived;
  recent.departed += w.past[0].departed;
  Counts all = recent;
  for (std::size_t i = 1; i < kRateIntervals; ++i) {
    all.arrived += w.past[i].arrived;
    all.departed += w.past[i].departed;
  }
  std::optional<Duration> allowed;
  for (const Counts& c : {recent, all}) {
    const double excess = static_cast<double>(c.arrived) - static_cast<double>(c.departed) -
                          kChance * std::sqrt(static_cast<double>(c.arrived + c.departed));
    if (excess <= 0) return std::nullopt;
    // standing_wait / (r - 1), r = arrived / departed.
    const std::chrono::duration<double> cap =
        std::chrono::duration<double>(options_.standing_wait) *
        (static_cast<double>(c.departed) / excess);
    // An excess a hair beyond chance: a cap no deadline reaches (and no overflow below).
    if (cap > std::chrono::hours(1)) return std::nullopt;
    allowed = std::max(allowed.value_or(options_.standing_wait),
                       std::chrono::duration_cast<Duration>(cap));
  }
  return allowed;
}

bool AdmissionGate::RefusalsStopped(TimePoint now) const {
  return !last_refusal_ || now - *last_refusal_ >= options_.interval;
}

bool AdmissionGate::RefusesAtHead(TimePoint now, Duration sojourn) const {
  if (!overloaded_) return false;
  const auto allowed = AllowedWait(At(now));
  return allowed && sojourn > 2 * *allowed;
}

void AdmissionGate::ServedAtOnce(TimePoint now) {
  Roll(now);
  ++window_.current.arrived;
  ++window_.current.departed;
  if (overloaded_ && RefusalsStopped(now)) {
    window_end_.reset();
    overloaded_ = false;
  }
}

void AdmissionGate::Refused(TimePoint now) {
  Roll(now);
  ++window_.current.arrived;
  last_refusal_ = now;
}

bool AdmissionGate::Admit(TimePoint now, std::size_t waiting, TimePoint deadline,
                          Admission admission) {
  Roll(now);
  bool admitted = waiting < options_.max_waiters;
  if (admission == Admission::kGated) admitted = WouldAdmit(now, waiting, deadline);
  ++window_.current.arrived;
  if (!admitted) last_refusal_ = now;
  return admitted;
}

bool AdmissionGate::WouldAdmit(TimePoint now, std::size_t waiting, TimePoint deadline) const {
  if (waiting >= options_.max_waiters) return false;
  // An empty queue takes one, even standing: it was emptied by refusals or deadlines, and
  // only a waiter served from it can end the state (Left); refused, a quiet pool whose
  // waiters all expired in an outage would refuse every wait afterwards.
  if (!overloaded_ || waiting == 0) return true;
  const Window counts = At(now);
  std::size_t past_departed = 0;
  for (const Counts& c : counts.past) past_departed += c.departed;
  const std::size_t per_interval =
      std::max({counts.past[0].departed, counts.current.departed, past_departed / kRateIntervals});
  if (per_interval == 0) return false;
  const auto drain = options_.interval * static_cast<std::int64_t>(waiting + 1) /
                     static_cast<std::int64_t>(per_interval);
  const auto allowed = AllowedWait(counts);
  return (!allowed || drain <= *allowed) && now + drain <= deadline;
}

void AdmissionGate::Left(TimePoint now, Duration sojourn, std::size_t waiting, bool served) {
  Roll(now);
  if (served) {
    ++window_.current.departed;
  } else {
    last_refusal_ = now;
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
