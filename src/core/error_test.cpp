#include "core/error.hpp"

#include <gtest/gtest.h>

#include "core/result.hpp"

namespace onboardd::core {
namespace {

TEST(Error, CodesHaveEnvelopeNames) {
  EXPECT_EQ(ToCodeString(ErrorCode::kValidation), "VALIDATION_ERROR");
  EXPECT_EQ(ToCodeString(ErrorCode::kUnauthenticated), "UNAUTHENTICATED");
  EXPECT_EQ(ToCodeString(ErrorCode::kPreconditionFailed), "PRECONDITION_FAILED");
  EXPECT_EQ(ToCodeString(ErrorCode::kInternal), "INTERNAL_ERROR");
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
