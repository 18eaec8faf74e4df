#include "lvsi/deepfeatures/cohort.h"

#include <optional>

#include "lvsi/core/error.h"
#include "lvsi/core/parallel.h"
#include "lvsi/io/image_io.h"
#include "lvsi/io/mask.h"

namespace lvsi::deepfeatures {

SliceSet SliceSet::Subset(const std::vector<std::size_t>& indices) const {
  SliceSet out;
  out.sequence = sequence;
  out.size = size;
  const std::size_t plane = 3 * static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  for (auto i : indices) {
    if (i >= case_ids.size()) throw InvalidArgument("SliceSet::Subset: index " + std::to_string(i) + " out of range");
    out.case_ids.push_back(case_ids[i]);
    out.labels.push_back(labels[i]);
    out.slices.push_back(slices[i]);
    out.values.insert(out.values.end(), values.begin() + static_cast<long>(i * plane),
                      values.begin() + static_cast<long>((i + 1) * plane));
  }
  return out;
}

std::vector<double> SliceSet::Plane(std::size_t i) const {
  const std::size_t plane = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  if (i >= case_ids.size()) throw InvalidArgument("SliceSet::Plane: index " + std::to_string(i) + " out of range");
  return std::vector<double>(values.begin() + static_cast<long>(3 * i * plane),
                             values.begin() + static_cast<long>((3 * i + 1) * plane));
}

SliceSet LoadTumourSlices(const io::CohortManifest& manifest, const std::string& sequence,
                          const preprocessing::SliceSettings& options, int threads) {
  const std::size_t n = manifest.cases.size();
  std::vector<std::optional<preprocessing::TumourSlice>> slices(n);
  std::vector<std::string> problems(n);
  ParallelFor(0, n, [&](std::size_t i) {
    const auto& c = manifest.cases[i];
    const auto it = c.sequences.find(sequence);
    if (it == c.sequences.end() || it->second.image.empty()) {
      problems[i] = "no " + sequence + " image";
      return;
    }
    try {
      const Image image = io::ReadImage(it->second.image);
      const Mask mask = io::ReadMask(it->second.mask, image.geometry());
      try {
        slices[i] = preprocessing::ExtractTumourSlice(image, mask, options);
      } catch (const DataError& e) {
        throw DataError(it->second.image, e.problem());
      }
    } catch (const Error& e) {
      problems[i] = e.what();
    }
  }, threads);
  SliceSet set;
  set.sequence = sequence;
  set.size = options.size;
  for (std::size_t i = 0; i < n; ++i) {
    if (!slices[i]) {
      set.errors.emplace_back(manifest.cases[i].case_id, problems[i]);
      continue;
    }
    set.case_ids.push_back(manifest.cases[i].case_id);
    set.labels.push_back(manifest.cases[i].label);
    set.slices.push_back(slices[i]->slice);
    set.values.insert(set.values.end(), slices[i]->values.begin(), slices[i]->values.end());
  }
  return set;
}

}  // namespace lvsi::deepfeatures
