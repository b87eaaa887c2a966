// UTF-8 helpers shared by catalog search and onboarding validation: validity, code point
// counts, and the accent folding used for search and slugs. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace onboardd::catalog {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Number of code points of valid UTF-8 (on invalid input: number of non-continuation bytes).
std::size_t CountCodePoints(std::string_view text);

// Folds for matching and slugs: ASCII lowercased, Latin-1 Supplement and Latin Extended-A
// letters mapped to their base ASCII letters ("Compañía Ñandú" -> "compania nandu",
// "ß" -> "ss", "Æ" -> "ae"), every other code point kept unchanged. Invalid bytes dropped.
std::string FoldForSearch(std::string_view text);

// Fills a catalog template: every "{{name}}" (name: letters, digits, '_', '.', no spaces)
// becomes values[name], or "" when `values` has no such name; any other text, including a
// lone "{{", is copied as is. Values are inserted verbatim, never re-expanded.
std::string RenderTemplate(std::string_view text,
                           const std::map<std::string, std::string, std::less<>>& values);

}  // namespace onboardd::catalog
