// Where a request carries its access token: `Authorization: Bearer <token>` or Stack Auth's
// cookie, whose value is a URL-encoded JSON array with the access token last
// (`["<refresh>","<access>"]`); a cookie holding a bare token works too.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace onboardd::auth {

// The token, or nullopt when there is none. The Authorization header wins when it is
// present and is a Bearer credential (scheme case-insensitive); an Authorization header
// with another scheme, or "Bearer" with an empty token, yields nullopt (not the cookie:
// a client that sent credentials meant them). `cookie_header` is the raw Cookie header
// ("a=1; stack-access=..."); the first cookie named `cookie_name` is used.
std::optional<std::string> ExtractToken(std::string_view authorization,
                                        std::string_view cookie_header,
                                        std::string_view cookie_name);

// The access token inside one cookie value (URL-encoded JSON array or bare), or nullopt.
std::optional<std::string> TokenFromCookieValue(std::string_view value);

}  // namespace onboardd::auth
