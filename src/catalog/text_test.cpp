#include "catalog/text.hpp"

#include <gtest/gtest.h>

namespace onboardd::catalog {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Compañía Ñandú"));
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));      // €
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));  // emoji
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(Utf8, RejectsMalformedText) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\x80"));           // lone continuation
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("ñandú"), 5u);
  EXPECT_EQ(CountCodePoints("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 2u);
}

TEST(Fold, FoldsAccentsAndCase) {
  EXPECT_EQ(FoldForSearch("Compañía Ñandú"), "compania nandu");
  EXPECT_EQ(FoldForSearch("ÀÉÎÕÜ çß Æ Œ Łódź"), "aeiou css ae oe lodz");
  EXPECT_EQ(FoldForSearch("Tecnología"), "tecnologia");
  EXPECT_EQ(FoldForSearch("a\xff"
                          "b"),
            "ab");
  EXPECT_EQ(FoldForSearch("日本"), "日本");
}

}  // namespace
}  // namespace onboardd::catalog
