// Rows of one statement's result, owning the libpq result. Values are text (the format
// every statement here asks for); a NULL reads as an empty view and IsNull() tells them
// apart. Movable, not copyable; not thread-safe (use it on the thread that ran the query).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct pg_result;

namespace onboardd::db {

class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result);

  int size() const;
  bool empty() const { return size() == 0; }
  int columns() const;
  // Rows affected by an INSERT/UPDATE/DELETE (0 for others).
  long affected() const;

  std::string_view Get(int row, int column) const;
  std::optional<std::string_view> GetOptional(int row, int column) const;
  bool IsNull(int row, int column) const;
  // Column index by name, -1 if absent.
  int Column(std::string_view name) const;

 private:
  struct Free {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Free> result_;
};

}  // namespace onboardd::db
