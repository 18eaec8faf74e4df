#include "lvsi/io/synthetic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <random>

#include "lvsi/core/error.h"
#include "lvsi/core/parallel.h"
#include "lvsi/core/volume.h"
#include "lvsi/io/image_io.h"
#include "lvsi/io/mask.h"

namespace lvsi::io {
namespace {

struct Sequence {
  const char* name;
  std::array<double, 3> spacing;    // mm
  std::array<std::size_t, 3> size;  // voxels
  double background, tumour;        // mean intensities
};

// The study's sequences: its voxel spacings with smaller matrices.
constexpr Sequence kSequences[] = {
    {"t2w", {0.5, 0.5, 6.75}, {96, 96, 8}, 300, 520},
    {"adc", {2.34, 2.34, 6.75}, {24, 24, 8}, 1600, 850},
    {"cet1", {1.25, 1.25, 2.5}, {40, 40, 20}, 400, 700},
};

// One patient's physical tumour: an ellipsoid with a lobulated boundary
// and an internal texture.
struct Tumour {
  std::array<double, 3> centre, radii;
  double lobulation, heterogeneity, phase, frequency;
};

// Signed distance-like inside measure (> 0 inside) and texture at `p`.
double TumourField(const Tumour& t, const std::array<double, 3>& p, double* inside) {
  double r2 = 0;
  for (int d = 0; d < 3; ++d) r2 += std::pow((p[d] - t.centre[d]) / t.radii[d], 2);
  const double theta = std::atan2(p[1] - t.centre[1], p[0] - t.centre[0]);
  const double boundary = 1 + t.lobulation * std::sin(5 * theta + t.phase);
  *inside = boundary - std::sqrt(r2);
  const double f = t.frequency;
  return t.heterogeneity * std::sin(f * p[0] + t.phase) * std::cos(0.8 * f * p[1]) * std::sin(0.5 * f * p[2] + 1);
}

}  // namespace

bool SyntheticCohortSettings::IsValid(std::string* why) const {
  if (patients < 3) return Invalid(why, "at least 3 patients are needed");
  if (threads < 0) return Invalid(why, "threads must not be negative");
  return true;
}

CohortManifest GenerateSyntheticCohort(const std::string& dir, const SyntheticCohortSettings& options) {
  CheckValid(options, "synthetic cohort");
  std::error_code ec;
  std::filesystem::create_directories(dir + "/images", ec);
  if (ec) throw OutputError(dir, "cannot create the cohort folder: " + ec.message());
  CohortManifest manifest;
  manifest.sequences = {"t2w", "adc", "cet1"};
  manifest.clinical_columns = {"age", "figo_stage", "histology", "tumour_diameter_mm"};
  manifest.cases.resize(static_cast<std::size_t>(options.patients));
  ParallelFor(0, manifest.cases.size(), [&](std::size_t p) {
    std::mt19937_64 rng(options.seed * 1000003ull + p);
    std::normal_distribution<double> noise(0, 1);
    std::uniform_real_distribution<double> uni(0, 1);
    Tumour t;
    t.centre = {24 + 3 * noise(rng), 24 + 3 * noise(rng), 27 + 2 * noise(rng)};
    t.radii = {6 + 2.5 * uni(rng), 5.5 + 2.5 * uni(rng), 8 + 3 * uni(rng)};
    t.lobulation = 0.2 * uni(rng);
    t.heterogeneity = 0.1 + 0.4 * uni(rng);
    t.phase = 6.283 * uni(rng);
    t.frequency = 0.8 + 0.3 * uni(rng);
    // LVSI log-odds: heterogeneous, lobulated and larger tumours are more
    // often positive (about a third of the cohort).
    const double size_z = (t.radii[0] + t.radii[1] - 14) / 3.5;
    const double logit = -0.8 + 18 * (t.heterogeneity - 0.3) + 22 * (t.lobulation - 0.1) +
                         0.5 * size_z + 0.8 * noise(rng);
    const int label = uni(rng) < 1 / (1 + std::exp(-logit)) ? 1 : 0;
    const double scale = 0.7 + 0.6 * uni(rng);  // per-patient intensity scaling
    ManifestCase& c = manifest.cases[p];
    c.case_id = "P" + std::to_string(1000 + p).substr(1);
    c.label = label;
    c.clinical["age"] = std::to_string(30 + static_cast<int>(35 * uni(rng)));
    const double stage_draw = uni(rng) + 0.15 * label;
    c.clinical["figo_stage"] = stage_draw < 0.45 ? "IB1" : stage_draw < 0.85 ? "IB2" : "IIA";
    c.clinical["histology"] = uni(rng) < 0.8 ? "SCC" : "adenocarcinoma";
    char diameter[16];
    std::snprintf(diameter, sizeof diameter, "%.1f", 2 * std::max({t.radii[0], t.radii[1], t.radii[2]}));
    c.clinical["tumour_diameter_mm"] = diameter;
    const double reader2_shift = 0.08 * noise(rng);  // reader 2 draws the boundary a little in or out
    for (const auto& s : kSequences) {
      Geometry g;
      g.size = s.size;
      g.spacing = s.spacing;
      Image img(g);
      Mask m1(g), m2(g);
      const double bias_phase = 6.283 * uni(rng);
      for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
          for (std::size_t i = 0; i < g.size[0]; ++i) {
            const auto pt = g.IndexToPhysical({double(i), double(j), double(k)});
            double inside;
            const double texture = TumourField(t, pt, &inside);
            const double bias = 1 + 0.12 * std::sin(pt[0] / 35.0 + bias_phase) * std::cos(pt[1] / 45.0);
            const double v = inside > 0 ? s.tumour * (1 + texture) : s.background * (1 + 0.05 * std::sin(pt[1] / 6.0));
            // Magnitude of a noisy complex signal: Rician noise.
            const double re = scale * bias * v + 0.04 * s.background * noise(rng), im = 0.04 * s.background * noise(rng);
            img(i, j, k) = std::sqrt(re * re + im * im);
            m1(i, j, k) = inside > 0;
            m2(i, j, k) = inside > reader2_shift + 0.04 * noise(rng);
          }
      if (CountVoxels(m1) < 3) m1(g.size[0] / 2, g.size[1] / 2, g.size[2] / 2) = 1;
      if (CountVoxels(m2) < 3) m2(g.size[0] / 2, g.size[1] / 2, g.size[2] / 2) = 1;
      const std::string stem = dir + "/images/" + c.case_id + "_" + s.name;
      WriteImage(img, stem + ".nii.gz", {PixelType::kInt16, true});
      WriteMask(m1, stem + "_mask.nii.gz");
      WriteMask(m2, stem + "_mask_r2.nii.gz");
      c.sequences[s.name] = {stem + ".nii.gz", stem + "_mask.nii.gz", stem + "_mask_r2.nii.gz"};
    }
  }, options.threads);
  manifest.path = dir + "/cohort.csv";
  WriteManifest(manifest, manifest.path);
  return manifest;
}

}  // namespace lvsi::io
