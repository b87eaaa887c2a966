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

TEST(Template, FillsKnownNamesAndLeavesTheRest) {
  const std::map<std::string, std::string, std::less<>> values{
      {"company", "Acme"}, {"company.name", "Acme SL"}, {"count", "2"}, {"evil", "{{count}}"}};
  EXPECT_EQ(RenderTemplate("Hola {{company}}", values), "Hola Acme");
  EXPECT_EQ(RenderTemplate("{{company.name}}/{{count}}", values), "Acme SL/2");
  EXPECT_EQ(RenderTemplate("Faltan {{missing}} pasos", values), "Faltan  pasos");
  EXPECT_EQ(RenderTemplate("{{evil}}", values), "{{count}}") << "values are not re-expanded";
  EXPECT_EQ(RenderTemplate("a {{ count }} b", values), "a {{ count }} b") << "spaces: not a name";
  EXPECT_EQ(RenderTemplate("a {{ b", values), "a {{ b");
  EXPECT_EQ(RenderTemplate("{{}}{{count}}", values), "{{}}2");
  EXPECT_EQ(RenderTemplate("", values), "");
}

}  // namespace
}  // namespace onboardd::catalog
