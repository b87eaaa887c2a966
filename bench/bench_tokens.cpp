// Dev tokens in bulk for bench/run: /complete needs a fresh user per request (thousands per
// run), and `onboardd token` costs a process (~5 ms) per token. Signs with the same
// auth::SignDevToken as `onboardd token`, so the server verifies them the same way.
//
//   bench_tokens PREFIX FIRST LAST    prints tokens for subs PREFIX-FIRST..PREFIX-LAST, one a
//                                     line. The secret comes from AUTH_DEV_SECRET; AUTH_ISSUER
//                                     and AUTH_AUDIENCE (comma-separated) are honoured if set.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "auth/dev_token.hpp"

int main(int argc, char** argv) {
  const char* secret = std::getenv("AUTH_DEV_SECRET");
  if (argc != 4 || secret == nullptr || *secret == '\0') {
    std::fputs("usage: AUTH_DEV_SECRET=... bench_tokens PREFIX FIRST LAST\n", stderr);
    return 2;
  }
  onboardd::auth::DevClaims claims;
  claims.ttl_seconds = 6 * 3600;
  if (const char* issuer = std::getenv("AUTH_ISSUER")) claims.issuer = issuer;
  if (const char* audience = std::getenv("AUTH_AUDIENCE"); audience && *audience) {
    std::string all = audience;
    for (std::size_t start = 0; start <= all.size();) {
      std::size_t comma = all.find(',', start);
      if (comma == std::string::npos) comma = all.size();
      if (comma > start) claims.audiences.push_back(all.substr(start, comma - start));
      start = comma + 1;
    }
  }
  const std::string prefix = argv[1];
  const long last = std::stol(argv[3]);
  for (long i = std::stol(argv[2]); i <= last; ++i) {
    claims.sub = prefix + "-" + std::to_string(i);
    std::string token = onboardd::auth::SignDevToken(secret, claims);
    std::fwrite(token.data(), 1, token.size(), stdout);
    std::fputc('\n', stdout);
  }
  return 0;
}
