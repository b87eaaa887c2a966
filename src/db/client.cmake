# The asynchronous client, the pool and TenantTransaction.
list(APPEND DB_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/pg_result.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/pg_connection.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/admission.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/key_turns.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/pg_pool.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/error_mapping.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/tenant_transaction.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/readiness.cpp)
list(APPEND DB_DEPS onboardd_observability)
onboardd_test(db_admission_test LABEL unit SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/admission_test.cpp
              ${CMAKE_CURRENT_SOURCE_DIR}/key_turns_test.cpp
              DEPS onboardd_db)
onboardd_test(db_client_test LABEL db SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tenant_transaction_test.cpp
              DEPS onboardd_db)
onboardd_test(db_restart_test LABEL db SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/restart_test.cpp
              DEPS onboardd_db)
set_tests_properties(db_restart_test PROPERTIES RUN_SERIAL TRUE)
onboardd_test(db_cross_tenant_test LABEL db SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/cross_tenant_test.cpp
              DEPS onboardd_db)
# pgbouncer (transaction mode) between the pool and PostgreSQL: a pgbouncer of its own.
onboardd_test(db_pooler_test LABEL db SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/pooler_test.cpp
              DEPS onboardd_db onboardd_test_support_http)
