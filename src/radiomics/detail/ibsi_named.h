#pragma once
// The values of one IBSI family as Features, from the family's table of
// (name, identifier) pairs in IBSI's order (private to IBSI mode).
#include <cstddef>
#include <utility>
#include <vector>

#include "lvsi/radiomics/ibsi.h"

namespace lvsi::radiomics::ibsi::detail {

using Names = std::vector<std::pair<const char*, const char*>>;

// `values` holds at least one value per name, in the table's order.
inline std::vector<Feature> Named(const char* family, const Names& names, Aggregation aggregation,
                                  const std::vector<double>& values) {
  std::vector<Feature> out;
  out.reserve(names.size());
  for (std::size_t k = 0; k < names.size(); ++k)
    out.push_back({family, names[k].first, names[k].second, aggregation, values[k]});
  return out;
}

}  // namespace lvsi::radiomics::ibsi::detail
