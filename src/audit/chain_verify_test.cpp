#include "audit/chain_verify.hpp"

#include <gtest/gtest.h>

namespace onboardd::audit {
namespace {

TEST(ChainLine, SaysOkOrNamesTheFirstBrokenLink) {
  ChainState ok{.chain_key = "org:0b8c6b1e-4a39-4f3e-9a2f-6f5f1c0f2b11", .rows = 12};
  EXPECT_EQ(FormatChainLine(ok), "org:0b8c6b1e-4a39-4f3e-9a2f-6f5f1c0f2b11  12 rows  ok");
  ChainState broken{
      .chain_key = "org:x", .rows = 3, .first_bad_seq = 2, .first_bad_id = 345, .problem = "hash"};
  EXPECT_EQ(FormatChainLine(broken),
            "org:x  3 rows  BROKEN at seq 2 (audit_log.id 345): its hash does not match its "
            "contents (the row was changed)");
  ChainState tail{
      .chain_key = "user:bob", .rows = 1, .first_bad_seq = 2, .problem = "missing_tail"};
  EXPECT_EQ(FormatChainLine(tail).substr(0, 32), "user:bob  1 row  BROKEN at seq 2");
  ChainState sealed{.chain_key = "org:y",
                    .rows = 2,
                    .first_bad_seq = 2,
                    .first_bad_id = 77,
                    .problem = "step_saves"};
  EXPECT_EQ(FormatChainLine(sealed),
            "org:y  2 rows  BROKEN at seq 2 (audit_log.id 77): the draft's step saves it sealed "
            "(onboarding_step_saves) were changed or deleted");
}

}  // namespace
}  // namespace onboardd::audit
