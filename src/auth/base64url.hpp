// Base64url without padding (RFC 4648 §5, as JWS uses it, RFC 7515 §2). Decoding is strict:
// padding, whitespace, characters outside the alphabet, an impossible length or non-zero
// trailing bits are refused, so each byte string has exactly one accepted encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace onboardd::auth {

std::string Base64UrlEncode(std::string_view bytes);

// The decoded bytes, or nullopt when `text` is not canonical unpadded base64url.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace onboardd::auth
