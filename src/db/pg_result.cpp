// Thin accessors over PGresult.
#include "db/pg_result.hpp"

#include <libpq-fe.h>

#include <cstdlib>

namespace onboardd::db {

void Rows::Free::operator()(pg_result* r) const { PQclear(r); }

Rows::Rows(pg_result* result) : result_(result) {}

int Rows::size() const { return result_ ? PQntuples(result_.get()) : 0; }
int Rows::columns() const { return result_ ? PQnfields(result_.get()) : 0; }

long Rows::affected() const {
  if (!result_) return 0;
  const char* text = PQcmdTuples(result_.get());
  return text && *text ? std::strtol(text, nullptr, 10) : 0;
}

std::string_view Rows::Get(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::optional<std::string_view> Rows::GetOptional(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Get(row, column);
}

bool Rows::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

int Rows::Column(std::string_view name) const {
  for (int c = 0; c < columns(); ++c) {
    if (name == PQfname(result_.get(), c)) return c;
  }
  return -1;
}

}  // namespace onboardd::db
