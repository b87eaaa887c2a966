// Result<T>: a value or a core::Error. Boost.System's result<T, E> does the work; this
// header only fixes E and says what happens when a caller reads the value of a failure
// (a bug: it throws BadResultAccess).
#pragma once

#include <boost/system/result.hpp>
#include <stdexcept>

#include "core/error.hpp"

namespace onboardd::core {

class BadResultAccess : public std::logic_error {
 public:
  explicit BadResultAccess(const Error& error);
  const Error& error() const { return error_; }

 private:
  Error error_;
};

// Found by ADL from boost::system::result<T, Error>::value() on a failure.
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& location);

template <class T>
using Result = boost::system::result<T, Error>;

// For functions that return nothing on success.
using Status = boost::system::result<void, Error>;

}  // namespace onboardd::core
