#include <algorithm>
#include <cmath>

#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/preprocessing/discretization.h"

namespace lvsi::radiomics {
namespace detail {

std::vector<Offset> GenerateAngles(const std::array<std::size_t, 3>& size,
                                   const std::vector<int>& distances, bool bidirectional,
                                   bool force2d, int force2d_dimension) {
  int max_d = 0;
  for (int d : distances) max_d = std::max(max_d, d);
  // pyradiomics numbering: 0 = z, 1 = y, 2 = x.
  const long zyx_size[3] = {static_cast<long>(size[2]), static_cast<long>(size[1]),
                            static_cast<long>(size[0])};
  // Offsets of |o| >= the size along an axis leave the image: the loops
  // stop short of them (the same angles, in the same order, without
  // visiting (2d + 1)^3 offsets for a huge distance d).
  int reach[3];
  for (int d = 0; d < 3; ++d) reach[d] = static_cast<int>(std::min<long>(max_d, std::max<long>(zyx_size[d] - 1, 0)));
  std::vector<Offset> out;
  out.reserve(static_cast<std::size_t>(2 * reach[0] + 1) * static_cast<std::size_t>(2 * reach[1] + 1) *
              static_cast<std::size_t>(2 * reach[2] + 1));
  for (int oz = reach[0]; oz >= -reach[0]; --oz)
    for (int oy = reach[1]; oy >= -reach[1]; --oy)
      for (int ox = reach[2]; ox >= -reach[2]; --ox) {
        const int o[3] = {oz, oy, ox};
        bool valid = true;
        int norm = 0;
        for (int d = 0; d < 3; ++d) {
          if ((force2d && d == force2d_dimension && o[d] != 0) || o[d] >= zyx_size[d] ||
              o[d] <= -zyx_size[d]) {
            valid = false;
            break;
          }
          norm = std::max(norm, std::abs(o[d]));
        }
        if (!valid || norm == 0) continue;
        if (std::find(distances.begin(), distances.end(), norm) == distances.end()) continue;
        if (!bidirectional) {
          const int first = oz != 0 ? oz : (oy != 0 ? oy : ox);
          if (first < 0) continue;
        }
        out.push_back({ox, oy, oz});
      }
  return out;
}

double AngleDistance(const Offset& a, const std::array<double, 3>& spacing, const std::string& norm) {
  const double v[3] = {std::abs(a.dx) * spacing[0], std::abs(a.dy) * spacing[1],
                       std::abs(a.dz) * spacing[2]};
  if (norm == "infinity") return std::max({v[0], v[1], v[2]});
  if (norm == "euclidean") return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (norm == "manhattan") return v[0] + v[1] + v[2];
  return 1.0;
}

namespace {

// The padded level-index map of an ROI and its voxels' positions in it.
void BuildPadded(const Roi& roi, std::size_t pad, std::vector<int>* at, std::vector<std::size_t>* voxels) {
  const auto& size = roi.geometry.size;
  // (Checked in floating point first: the product can overflow size_t.)
  const double cells = (static_cast<double>(size[0]) + 2.0 * static_cast<double>(pad)) *
                       (static_cast<double>(size[1]) + 2.0 * static_cast<double>(pad)) *
                       (static_cast<double>(size[2]) + 2.0 * static_cast<double>(pad));
  if (cells > 2147483647.0)
    throw InvalidArgument("a neighbourhood distance of " + std::to_string(pad) + " voxels pads the ROI box to " +
                          std::to_string(cells) + " voxels, too many (reduce 'distances')");
  const std::size_t px = size[0] + 2 * pad, py = size[1] + 2 * pad;
  at->assign(px * py * (size[2] + 2 * pad), -2);
  const std::vector<int> index = LevelIndex(roi);
  voxels->clear();
  voxels->reserve(roi.voxel_count);
  for (std::size_t z = 0; z < size[2]; ++z)
    for (std::size_t y = 0; y < size[1]; ++y) {
      const std::size_t n = size[0] * (y + size[1] * z), m = pad + px * ((y + pad) + py * (z + pad));
      for (std::size_t x = 0; x < size[0]; ++x) {
        if (!roi.mask[n + x]) {
          (*at)[m + x] = -1;
          continue;
        }
        (*at)[m + x] = index[static_cast<std::size_t>(roi.levels[n + x])];
        voxels->push_back(m + x);
      }
    }
}

// Whether the ROI carries a padded map (pad 1) that fits its box.
bool HasOwnMap(const Roi& roi, std::size_t pad) {
  const auto& size = roi.geometry.size;
  return pad == 1 && roi.padded_index.size() == (size[0] + 2) * (size[1] + 2) * (size[2] + 2) &&
         roi.padded_voxels.size() == roi.voxel_count;
}

}  // namespace

PaddedLevels::PaddedLevels(const Roi& roi, std::size_t pad)
    : at(HasOwnMap(roi, pad) ? roi.padded_index : own_at_),
      voxels(HasOwnMap(roi, pad) ? roi.padded_voxels : own_voxels_),
      px(roi.geometry.size[0] + 2 * pad),
      py(roi.geometry.size[1] + 2 * pad) {
  if (&at == &own_at_) BuildPadded(roi, pad, &own_at_, &own_voxels_);
}

void BuildKernel(const Roi& whole, std::size_t center, const KernelShape& shape, KernelBuffers& buffers, Roi* kernel) {
  const auto& size = whole.geometry.size;
  const std::array<std::size_t, 3> c{center % size[0], center / size[0] % size[1], center / (size[0] * size[1])};
  std::array<std::size_t, 3> lo{}, hi{};
  const auto r = static_cast<std::size_t>(shape.radius);
  for (int d = 0; d < 3; ++d) {
    const bool flat = d == shape.flat_axis;
    lo[d] = flat || c[d] < r ? (flat ? c[d] : 0) : c[d] - r;
    hi[d] = flat ? c[d] : std::min(size[d] - 1, c[d] + r);
  }
  Roi& k = *kernel;
  k.geometry = whole.geometry;
  k.geometry.size = {hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1};
  k.geometry.origin = whole.geometry.IndexToPhysical(
      {static_cast<double>(lo[0]), static_cast<double>(lo[1]), static_cast<double>(lo[2])});
  const std::size_t n = k.geometry.size[0] * k.geometry.size[1] * k.geometry.size[2];
  k.values.resize(n);
  k.mask.resize(n);
  k.levels.resize(n);
  buffers.present.assign(static_cast<std::size_t>(whole.max_level) + 1, 0);
  std::size_t out = 0, count = 0;
  for (std::size_t z = lo[2]; z <= hi[2]; ++z)
    for (std::size_t y = lo[1]; y <= hi[1]; ++y) {
      const std::size_t row = size[0] * (y + size[1] * z);
      for (std::size_t x = lo[0]; x <= hi[0]; ++x, ++out) {
        const std::size_t src = row + x;
        const std::uint8_t m = whole.mask[src];
        k.values[out] = whole.values[src];
        k.mask[out] = m;
        k.levels[out] = m ? whole.levels[src] : 0;
        if (m) {
          ++count;
          buffers.present[static_cast<std::size_t>(whole.levels[src])] = 1;
        }
      }
    }
  k.voxel_count = count;
  k.gray_levels.clear();
  for (std::size_t l = 0; l < buffers.present.size(); ++l)
    if (buffers.present[l]) k.gray_levels.push_back(static_cast<int>(l));
  k.max_level = whole.max_level;
  k.bin_edges.clear();
  BuildPadded(k, 1, &k.padded_index, &k.padded_voxels);
}

std::vector<int> LevelIndex(const Roi& roi) {
  std::vector<int> index(static_cast<std::size_t>(roi.max_level) + 1, -1);
  for (std::size_t g = 0; g < roi.gray_levels.size(); ++g)
    index[static_cast<std::size_t>(roi.gray_levels[g])] = static_cast<int>(g);
  return index;
}

std::vector<std::string_view> ResolveNames(const std::vector<FeatureInfo>& infos,
                                           const std::vector<std::string>& names, const char* family) {
  std::vector<std::string_view> out;
  out.reserve(names.empty() ? infos.size() : names.size());
  if (names.empty()) {
    for (const auto& i : infos)
      if (!i.deprecated) out.push_back(i.name);
    return out;
  }
  for (const auto& n : names) {
    const auto known = std::find_if(infos.begin(), infos.end(), [&](const FeatureInfo& i) { return i.name == n; });
    if (known == infos.end()) {
      std::string list;
      for (const auto& i : infos) list += (list.empty() ? "" : ", ") + i.name;
      throw InvalidArgument(std::string("unknown ") + family + " feature '" + n + "' (features: " + list + ")");
    }
    out.push_back(known->name);
  }
  return out;
}

FeatureList Named(const std::vector<std::string_view>& names, const std::vector<double>& values) {
  FeatureList out;
  out.reserve(names.size());
  for (std::size_t k = 0; k < names.size(); ++k) out.emplace_back(std::string(names[k]), values[k]);
  return out;
}

std::vector<FeatureInfo> SortedInfos(std::vector<FeatureInfo> infos) {
  std::sort(infos.begin(), infos.end(), [](const FeatureInfo& a, const FeatureInfo& b) {
    return a.name + "FeatureValue" < b.name + "FeatureValue";
  });
  return infos;
}

}  // namespace detail

bool TextureSettings::IsValid(std::string* why) const {
  if (distances.empty()) return Invalid(why, "distances must not be empty");
  for (int d : distances)
    if (d < 1) return Invalid(why, "distances must be >= 1, got " + std::to_string(d));
  if (!weighting_norm.empty() && weighting_norm != "manhattan" && weighting_norm != "euclidean" &&
      weighting_norm != "infinity" && weighting_norm != "no_weighting")
    return Invalid(why, "weightingNorm must be manhattan, euclidean, infinity or no_weighting, got '" +
                weighting_norm + "'");
  if (force2d_dimension < 0 || force2d_dimension > 2)
    return Invalid(why, "force2Ddimension must be 0, 1 or 2");
  if (!(gldm_a >= 0) || gldm_a != std::floor(gldm_a)) return Invalid(why, "gldm_a must be a whole number >= 0");
  return true;
}

Roi Roi::Build(const Image& image, const Mask& mask,
               const preprocessing::DiscretizationSettings& discretization) {
  if (image.geometry().size != mask.geometry().size)
    throw DataError(Input::kMask, "image and mask have different sizes");
  Roi roi;
  roi.geometry = image.geometry();
  roi.values = image.values();
  roi.mask.assign(mask.data(), mask.data() + mask.size());
  for (auto& m : roi.mask) m = m ? 1 : 0;
  const std::vector<double> inside = roi.RoiValues();
  if (inside.empty()) throw DataError(Input::kMask, "mask is empty");
  roi.voxel_count = inside.size();
  roi.bin_edges = preprocessing::ComputeBinEdges(inside, discretization);
  roi.levels.assign(roi.values.size(), 0);
  std::vector<char> present(roi.bin_edges.size() + 1, 0);  // (levels run 1 .. number of edges)
  for (std::size_t n = 0; n < roi.values.size(); ++n) {
    if (!roi.mask[n]) continue;
    const int l = preprocessing::Digitize(roi.values[n], roi.bin_edges);
    roi.levels[n] = l;
    if (static_cast<std::size_t>(l) >= present.size()) present.resize(static_cast<std::size_t>(l) + 1, 0);
    present[static_cast<std::size_t>(l)] = 1;
  }
  roi.gray_levels.reserve(static_cast<std::size_t>(std::count(present.begin(), present.end(), 1)));
  for (std::size_t l = 0; l < present.size(); ++l)
    if (present[l]) roi.gray_levels.push_back(static_cast<int>(l));
  roi.max_level = roi.gray_levels.back();
  detail::BuildPadded(roi, 1, &roi.padded_index, &roi.padded_voxels);
  return roi;
}

std::vector<double> Roi::RoiValues() const {
  // Every value written, the next place taken only inside the mask: no
  // branch on the mask's (unpredictable) edges.
  std::vector<double> out(values.size());
  std::size_t k = 0;
  for (std::size_t n = 0; n < values.size(); ++n) {
    out[k] = values[n];
    k += mask[n] != 0;
  }
  out.resize(k);
  return out;
}

}  // namespace lvsi::radiomics
