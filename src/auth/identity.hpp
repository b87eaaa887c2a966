// Who a verified token says the caller is: what the HTTP layer hands to the data layer.
#pragma once

#include <cstdint>
#include <string>

namespace onboardd::auth {

struct Identity {
  std::string user_id;          // the token's `sub` (a Stack Auth user id), never empty
  std::string email;            // `email` when present and a string, else ""
  std::string name;             // `name` when present and a string, else ""
  std::int64_t expires_at = 0;  // `exp`, seconds since the Unix epoch

  bool operator==(const Identity&) const = default;
};

}  // namespace onboardd::auth
