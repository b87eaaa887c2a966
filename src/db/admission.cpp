// CoDel's standing-queue test applied to admission (see admission.hpp).
#include "db/admission.hpp"

namespace onboardd::db {

bool AdmissionGate::Admit(std::size_t waiting) const {
  return waiting < options_.max_waiters && !overloaded_;
}

void AdmissionGate::Left(TimePoint now, Duration sojourn, std::size_t waiting) {
  if (sojourn < options_.target || waiting == 0) {
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
  if (waiting < waiting_at_start_) {
    // Above target for a whole interval but draining: a backlog (after a pause) that the
    // connections are working off. Watch the next interval.
    window_end_ = now + options_.interval;
    waiting_at_start_ = waiting;
    return;
  }
  overloaded_ = true;
  window_end_.reset();
}

}  // namespace onboardd::db
