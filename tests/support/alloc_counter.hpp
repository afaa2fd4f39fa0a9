// SPDX-License-Identifier: Apache-2.0
// Counts global operator new calls so tests can prove that pmci's core allocates nothing.
//   pmci::test::alloc_scope scope;  ... run the code ...  CHECK(scope.count() == 0);
#pragma once
#include <cstddef>

namespace pmci::test {
std::size_t allocation_count() noexcept;  // total operator new / malloc-through-new calls
class alloc_scope {
 public:
  alloc_scope() noexcept : start_(allocation_count()) {}
  [[nodiscard]] std::size_t count() const noexcept { return allocation_count() - start_; }

 private:
  std::size_t start_;
};
}  // namespace pmci::test
