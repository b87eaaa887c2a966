// Cost of Authenticator::Verify per token: the full path (parse, SHA-256, signature,
// claims) with the verified-token cache off, versus a cache hit. ES256 is the provider's
// default; RS256 and EdDSA for comparison.
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "auth/authenticator.hpp"
#include "observability/log.hpp"
#include "support/jwks_test_keys.hpp"

namespace {

namespace asio = boost::asio;
using onboardd::auth::Authenticator;
using onboardd::auth::AuthOptions;
using onboardd::test::KeyType;
using onboardd::test::TestKey;

asio::awaitable<onboardd::core::Result<std::string>> Serve(std::string body) { co_return body; }

void BM_Verify(benchmark::State& state, KeyType type, bool cache) {
  const TestKey key = TestKey::Generate(type, "bench-key");
  AuthOptions options;
  options.issuer = "https://issuer.test";
  options.audiences = {"proj-1"};
  options.token_cache_size = cache ? 10'000 : 0;
  const std::string jwks = onboardd::test::JwksJson({&key});
  Authenticator auth(options, [jwks] { return Serve(jwks); });
  const std::string token =
      key.Sign({}, onboardd::test::GoodClaims("https://issuer.test", "proj-1"));

  asio::io_context io;
  bool failed = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (auto _ : state) {
          auto identity = co_await auth.Verify(token);
          if (!identity) failed = true;
          benchmark::DoNotOptimize(identity);
        }
      },
      asio::detached);
  io.run();
  if (failed) state.SkipWithError("token refused");
}

BENCHMARK_CAPTURE(BM_Verify, es256_cache_off, KeyType::kEcP256, false);
BENCHMARK_CAPTURE(BM_Verify, es256_cache_on, KeyType::kEcP256, true);
BENCHMARK_CAPTURE(BM_Verify, rs256_cache_off, KeyType::kRsa2048, false);
BENCHMARK_CAPTURE(BM_Verify, eddsa_cache_off, KeyType::kEd25519, false);

}  // namespace

int main(int argc, char** argv) {
  onboardd::observability::InitLogging("warn");
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
