// Reading the value of a failed Result is a bug; it becomes an exception naming the code.
#include "core/result.hpp"

#include <string>

namespace onboardd::core {

BadResultAccess::BadResultAccess(const Error& error)
    : std::logic_error("value of a failed Result: " + std::string(ToCodeString(error.code))),
      error_(error) {}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw BadResultAccess(error);
}

}  // namespace onboardd::core
