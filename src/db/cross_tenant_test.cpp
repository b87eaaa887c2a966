// A randomized cross-tenant test through the data layer: several organizations, their
// owners and outsiders, and random reads and writes by random users against random
// organizations (also with a spoofed active-organization setting). Whatever the operation,
// no row of another organization ever comes back, and no write lands in one.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "core/ids.hpp"
#include "support/db_harness.hpp"

namespace onboardd::db {
namespace {

using testing::Context;
using testing::PoolHarness;
using testing::RequireEnv;

constexpr Statement kCreateOrg{
    "ct_create_org",
    "insert into public.organizations (id, name, slug, industry, size, created_by) "
    "values ($1::uuid, $2, onboardd_private.available_slug($3), 'technology', 'small', "
    "onboardd_private.current_user_id())"};
constexpr Statement kAddOwner{
    "ct_add_owner",
    "insert into public.organization_members (organization_id, user_id, role) "
    "values ($1::uuid, onboardd_private.current_user_id(), 'owner')"};
constexpr Statement kAddDepartment{
    "ct_add_department",
    "insert into public.departments (organization_id, name) values ($1::uuid, $2)"};
constexpr Statement kOrgIds{"ct_org_ids", "select id::text from public.organizations"};
constexpr Statement kDepartmentOrgs{"ct_department_orgs",
                                    "select organization_id::text from public.departments"};
constexpr Statement kMemberOrgs{"ct_member_orgs",
                                "select organization_id::text from public.organization_members"};
constexpr Statement kRename{"ct_rename",
                            "update public.organizations set description = $2 where id = $1::uuid"};
constexpr Statement kDeleteDepartments{
    "ct_delete_departments", "delete from public.departments where organization_id = $1::uuid"};
constexpr Statement kCountDepartments{
    "ct_count_departments",
    "select count(*) from public.departments where organization_id = $1::uuid"};

db::TenantContext As(const std::string& user, const std::string& org, bool read_only) {
  auto c = Context(user, read_only);
  c.org_id = org;
  return c;
}

TEST(CrossTenant, RandomOperationsNeverCrossOrganizations) {
  PoolOptions options;
  options.conninfo = RequireEnv("DATABASE_URL");
  options.connections = 2;
  PoolHarness h(options);
  ASSERT_EQ(h.started(), 2);

  const std::string run = core::NewUuid().substr(0, 8);
  std::vector<std::string> orgs, users;
  std::map<std::string, std::string> org_of;  // owner → org
  std::map<std::string, long> departments;    // org → expected count
  for (int i = 0; i < 6; ++i) {
    std::string owner = "ct-" + run + "-owner-" + std::to_string(i);
    std::string org = core::NewUuid();
    TenantTransaction tx(As(owner, "", false));
    tx.Add(kCreateOrg, {Param(org), Param("Org " + run + " " + std::to_string(i)),
                        Param("ct-" + run + "-" + std::to_string(i))});
    tx.Add(kAddOwner, {Param(org)});
    for (int d = 0; d < 3; ++d)
      tx.Add(kAddDepartment, {Param(org), Param("dept-" + std::to_string(d))});
    auto created = h.Commit(std::move(tx));
    ASSERT_TRUE(created.has_value()) << created.error().message.en;
    orgs.push_back(org);
    users.push_back(owner);
    org_of[owner] = org;
    departments[org] = 3;
  }
  for (int i = 0; i < 3; ++i) users.push_back("ct-" + run + "-outsider-" + std::to_string(i));

  std::mt19937 random(20261125);
  auto pick = [&](const auto& v) { return v[random() % v.size()]; };
  int rows_seen = 0, refused_writes = 0;
  for (int op = 0; op < 600; ++op) {
    std::string user = pick(users);
    std::string target = pick(orgs);
    std::string own = org_of.count(user) ? org_of[user] : "";
    // Half the time the user claims the target as active organization (X-Organization-Id).
    std::string claimed = random() % 2 ? target : own;
    int kind = random() % 5;
    SCOPED_TRACE("op " + std::to_string(op) + " user " + user + " kind " + std::to_string(kind));
    if (kind <= 1) {  // reads: every row returned belongs to the user's own organization
      TenantTransaction tx(As(user, claimed, true));
      tx.Add(kOrgIds);
      tx.Add(kDepartmentOrgs);
      tx.Add(kMemberOrgs);
      auto rows = h.Commit(std::move(tx));
      ASSERT_TRUE(rows.has_value());
      for (const auto& r : *rows) {
        for (int i = 0; i < r.size(); ++i) {
          // Rows of other test runs' organizations would be equally wrong: only `own` may appear.
          ASSERT_EQ(std::string(r.Get(i, 0)), own);
          ++rows_seen;
        }
      }
    } else if (kind == 2) {  // insert a department into the target
      TenantTransaction tx(As(user, claimed, false));
      tx.Add(kAddDepartment, {Param(target), Param("x-" + std::to_string(op))});
      auto result = h.Commit(std::move(tx));
      if (target == own) {
        ASSERT_TRUE(result.has_value()) << result.error().message.en;
        ++departments[target];
      } else {
        ASSERT_TRUE(result.has_error());
        EXPECT_EQ(result.error().code, core::ErrorCode::kNotFound);
        ++refused_writes;
      }
    } else if (kind == 3) {  // update the target
      TenantTransaction tx(As(user, claimed, false));
      tx.Add(kRename, {Param(target), Param("by " + user)});
      auto result = h.Commit(std::move(tx));
      ASSERT_TRUE(result.has_value());
      EXPECT_EQ((*result)[0].affected(), target == own ? 1 : 0);
    } else {  // delete the target's departments
      TenantTransaction tx(As(user, claimed, false));
      tx.Add(kDeleteDepartments, {Param(target)});
      auto result = h.Commit(std::move(tx));
      ASSERT_TRUE(result.has_value());
      EXPECT_EQ((*result)[0].affected(), target == own ? departments[target] : 0);
      if (target == own) departments[target] = 0;
    }
  }
  // Each owner sees exactly the departments the test expects in their organization.
  for (const auto& [owner, org] : org_of) {
    TenantTransaction tx(As(owner, org, true));
    tx.Add(kCountDepartments, {Param(org)});
    auto rows = h.Commit(std::move(tx));
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(std::stol(std::string((*rows)[0].Get(0, 0))), departments[org]) << owner;
  }
  EXPECT_GT(rows_seen, 0);
  EXPECT_GT(refused_writes, 0);
}

}  // namespace
}  // namespace onboardd::db
