// One user's step re-saved by 64 clients at once for a few seconds (double clicks, several
// tabs): every answer is a 200, nothing is shed, and the draft in the database holds the
// last acknowledged save. The writes take turns per user before taking a connection
// (db/key_turns.hpp), so the storm does not fill the pool's queue with requests blocked on
// one row lock. Over real sockets, against real PostgreSQL (the in-process server of
// tests/support/onboarding_api_server.hpp).
#include "onboarding/onboarding_routes.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "observability/metrics.hpp"
#include "support/onboarding_api_server.hpp"

namespace onboardd::onboarding {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Reply = testing::ApiReply;

class SameUserStormTest : public testing::OnboardingApiServer {
 protected:
  static json::object CompanyStep(const std::string& name) {
    return {{"step", 2},
            {"data", json::object{{"name", name},
                                  {"industry", "technology"},
                                  {"size", "startup"},
                                  {"description", ""},
                                  {"logo", ""}}}};
  }
  static std::uint64_t CounterValue(const char* name, const char* help) {
    return observability::Metrics().GetCounter(name, help).Value();
  }
};

TEST_F(SameUserStormTest, SixtyFourClientsResavingOneStepGetNoErrorAndTheLastSaveWins) {
  constexpr int kClients = 64;
  constexpr auto kFor = 3s;  // how long the clients keep saving; nothing is timed
  const std::string user = NewUser("storm");
  ASSERT_EQ(Post("/api/onboarding/step", CompanyStep("first"), user).status, 200);
  const std::uint64_t turns_before =
      CounterValue("onboardd_db_turn_waits_total",
                   "Writes that waited in process for an earlier write of the same user.");

  std::mutex mutex;
  std::map<int, int> statuses;  // status -> count
  long long last_version = 0;   // the highest version acknowledged
  std::string last_name;        // and the name that save stored
  std::string first_error;
  const auto stop = std::chrono::steady_clock::now() + kFor;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; std::chrono::steady_clock::now() < stop; ++i) {
        const std::string name = "storm-" + std::to_string(c) + "-" + std::to_string(i);
        Reply r;
        try {
          r = Post("/api/onboarding/step", CompanyStep(name), user);
        } catch (const std::exception&) {
          r.status = 0;  // could not connect
        }
        std::lock_guard lock(mutex);
        ++statuses[r.status];
        if (r.status != 200) {
          if (first_error.empty()) first_error = std::to_string(r.status) + " " + r.body;
          continue;
        }
        const std::string etag = r.Header("ETag");  // "<version>"
        const long long version = std::atoll(etag.c_str() + (etag.empty() ? 0 : 1));
        if (version > last_version) {
          last_version = version;
          last_name = name;
        }
      }
    });
  }
  for (auto& t : clients) t.join();

  int answered = 0;
  for (const auto& [status, count] : statuses) {
    answered += count;
    EXPECT_EQ(status, 200) << count << " answers were " << status << "; first: " << first_error;
  }
  EXPECT_GT(answered, kClients);
  std::printf("[ measure  ] %d saves of one user answered in %lld ms by 64 clients\n", answered,
              static_cast<long long>(kFor / 1ms));
  EXPECT_GT(CounterValue("onboardd_db_turn_waits_total",
                         "Writes that waited in process for an earlier write of the same user."),
            turns_before)
      << "concurrent saves of one user took turns";
  ASSERT_GT(last_version, 0);
  EXPECT_EQ(Scalar("select version::text from public.onboarding_sessions where user_id = $1 "
                   "and status = 'in_progress'",
                   user),
            std::to_string(last_version))
      << "no acknowledged save is missing, and none was made without an answer";
  EXPECT_EQ(Scalar("select form_data->'company'->>'name' from public.onboarding_sessions "
                   "where user_id = $1 and status = 'in_progress'",
                   user),
            last_name);
  EXPECT_EQ(Count("select count(*) from public.onboarding_sessions where user_id = $1", user), 1);
}

}  // namespace
}  // namespace onboardd::onboarding
