#include "core/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "core/result.hpp"

namespace onboardd::core {
namespace {

TEST(Error, CodesHaveEnvelopeNames) {
  EXPECT_EQ(ToCodeString(ErrorCode::kValidation), "VALIDATION_ERROR");
  EXPECT_EQ(ToCodeString(ErrorCode::kUnauthenticated), "UNAUTHENTICATED");
  EXPECT_EQ(ToCodeString(ErrorCode::kPreconditionFailed), "PRECONDITION_FAILED");
  EXPECT_EQ(ToCodeString(ErrorCode::kInternal), "INTERNAL_ERROR");
}

// SPEC's envelope names a closed list of codes; every ErrorCode maps into it.
TEST(ErrorCode, EveryCodeIsInSpecsClosedList) {
  const std::set<std::string_view> closed{
      "VALIDATION_ERROR",    "UNAUTHENTICATED",   "FORBIDDEN",    "NOT_FOUND",   "CONFLICT",
      "PRECONDITION_FAILED", "PAYLOAD_TOO_LARGE", "RATE_LIMITED", "UNAVAILABLE", "INTERNAL_ERROR"};
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    EXPECT_TRUE(closed.contains(ToCodeString(static_cast<ErrorCode>(c)))) << c;
  }
}

TEST(Result, ValueOfFailureThrowsWithTheCode) {
  Result<int> failed = MakeError(ErrorCode::kConflict);
  ASSERT_TRUE(failed.has_error());
  EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
  EXPECT_THROW(failed.value(), BadResultAccess);
  Result<int> ok = 7;
  EXPECT_EQ(ok.value(), 7);
}

}  // namespace
}  // namespace onboardd::core
