// The current request is a thread_local pointer that RequestExecutor sets around each run of
// a request's coroutine (see the header for why that is per coroutine, not per thread).
#include "core/request_context.hpp"

namespace onboardd::core {
namespace {

thread_local const RequestContext* current = nullptr;

}  // namespace

const RequestContext* CurrentRequest() { return current; }

ScopedRequestContext::ScopedRequestContext(const RequestContext* context) : previous_(current) {
  current = context;
}

ScopedRequestContext::~ScopedRequestContext() { current = previous_; }

}  // namespace onboardd::core
