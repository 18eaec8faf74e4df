// lvsi_habitat: habitats (sub-regions) of a tumour from voxel-based
// radiomics maps.  Every enabled feature is computed in a kernel around
// each ROI voxel (FeatureExtractor::ExecuteVoxel); the maps are z-scored
// over the ROI and clustered with k-means (k-means++ seeding, several
// seeded restarts, the lowest within-cluster sum of squares kept).  Writes
// to OUTDIR:
//   habitats.nrrd     label map on the image's grid (0 outside the ROI,
//                     1..K the habitats, numbered by ascending mean of the
//                     first feature)
//   habitats.csv      per habitat: voxels, volume, and each feature's mean
//   overlay.png       the habitats over the ROI's largest slice, with a legend
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The default: intensity and co-occurrence texture in a 3 x 3 x 3 kernel.
constexpr const char* kDefaultParameters =
    "featureClass:\n  firstorder: [Mean, Variance, Entropy]\n  glcm: [JointEntropy, Contrast, Idm]\n"
    "voxelSetting:\n  kernelRadius: 1\n";

struct Clustering {
  std::vector<int> label;  // per point, 0..k-1
  double inertia = std::numeric_limits<double>::infinity();
};

double Distance2(const double* a, const double* b, std::size_t d) {
  double s = 0;
  for (std::size_t j = 0; j < d; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

// Lloyd's k-means from k-means++ centres; points row-major n x d.
Clustering KMeans(const std::vector<double>& x, std::size_t n, std::size_t d, int k, std::mt19937_64& rng) {
  std::vector<double> centres;
  std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  const std::size_t start = pick(rng);
  centres.insert(centres.end(), x.begin() + static_cast<long>(start * d), x.begin() + static_cast<long>(start * d + d));
  for (int c = 1; c < k; ++c) {
    const double* last = &centres[(static_cast<std::size_t>(c) - 1) * d];
    for (std::size_t i = 0; i < n; ++i) nearest[i] = std::min(nearest[i], Distance2(&x[i * d], last, d));
    std::discrete_distribution<std::size_t> weighted(nearest.begin(), nearest.end());
    const std::size_t i = weighted(rng);
    centres.insert(centres.end(), x.begin() + static_cast<long>(i * d), x.begin() + static_cast<long>(i * d + d));
  }
  Clustering r;
  r.label.assign(n, -1);
  for (int iteration = 0; iteration < 300; ++iteration) {
    bool changed = false;
    double inertia = 0;
    for (std::size_t i = 0; i < n; ++i) {
      int best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (int c = 0; c < k; ++c) {
        const double dist = Distance2(&x[i * d], &centres[static_cast<std::size_t>(c) * d], d);
        if (dist < best_d) best_d = dist, best = c;
      }
      changed = changed || r.label[i] != best;
      r.label[i] = best;
      inertia += best_d;
    }
    r.inertia = inertia;
    if (!changed) break;
    std::vector<double> sum(static_cast<std::size_t>(k) * d, 0.0);
    std::vector<std::size_t> count(static_cast<std::size_t>(k), 0);
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = static_cast<std::size_t>(r.label[i]);
      ++count[c];
      for (std::size_t j = 0; j < d; ++j) sum[c * d + j] += x[i * d + j];
    }
    for (std::size_t c = 0; c < static_cast<std::size_t>(k); ++c)
      if (count[c] > 0)  // (an empty cluster keeps its centre)
        for (std::size_t j = 0; j < d; ++j) centres[c * d + j] = sum[c * d + j] / static_cast<double>(count[c]);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lvsi_habitat " + lvsi::Version() + ": tumour habitats from voxel-based radiomics maps (k-means)"};
  std::string image_path, mask_path, out_dir, param;
  int clusters = 3, restarts = 10;
  unsigned long seed = 1;
  app.add_option("image", image_path, "image file")->required();
  app.add_option("mask", mask_path, "mask file (the ROI is `label`, default 1)")->required();
  app.add_option("-o,--out-dir", out_dir, "output folder")->required();
  app.add_option("-p,--param", param, "parameter file of the voxel-based extraction (default: firstorder Mean, "
                                      "Variance, Entropy and glcm JointEntropy, Contrast, Idm; kernelRadius 1)");
  app.add_option("-k,--clusters", clusters, "number of habitats")->check(CLI::Range(2, 12));
  app.add_option("--restarts", restarts, "k-means restarts; the best is kept")->check(CLI::Range(1, 1000));
  app.add_option("--seed", seed, "random seed of the k-means seeding");
  CLI11_PARSE(app, argc, argv);
  try {
    const lvsi::radiomics::ExtractionParameters params =
        param.empty() ? lvsi::radiomics::ParseParameters(kDefaultParameters, "the default parameters")
                      : lvsi::radiomics::ReadParameterFile(param);
    const lvsi::Image image = lvsi::io::ReadImage(image_path);
    lvsi::radiomics::FeatureExtractor extractor(params);
    extractor.set_threads(0);
    const lvsi::radiomics::VoxelResult maps =
        extractor.ExecuteVoxelFiles(image_path, mask_path, lvsi::radiomics::MapGrid::kImage);
    if (maps.maps.empty()) throw lvsi::InvalidArgument("the parameters enable no voxel-based feature");
    // The ROI: where the first map was computed (the mask's label).
    const lvsi::LabelImage labels = lvsi::io::ReadLabelImage(mask_path);
    if (labels.geometry().size != image.geometry().size)
      throw lvsi::GeometryError(mask_path, "the habitat map needs the mask on the image's grid");
    std::vector<std::size_t> roi;
    for (std::size_t v = 0; v < labels.size(); ++v)
      if (labels[v] == params.settings.label) roi.push_back(v);
    const std::size_t n = roi.size();
    if (n < static_cast<std::size_t>(clusters))
      throw lvsi::DataError(mask_path, "the ROI has " + std::to_string(n) + " voxels, fewer than the habitats");
    // Features with a value at every ROI voxel and some spread, z-scored.
    std::vector<std::string> used;
    std::vector<const lvsi::Image*> columns;
    std::vector<double> mean, sd;
    for (const auto& [name, map] : maps.maps) {
      double s = 0, s2 = 0;
      bool finite = true;
      for (std::size_t v : roi) {
        finite = finite && std::isfinite(map[v]);
        s += map[v];
      }
      if (!finite) {
        std::cerr << "lvsi_habitat: " << name << " is NaN at some ROI voxels; left out\n";
        continue;
      }
      const double m = s / static_cast<double>(n);
      for (std::size_t v : roi) s2 += (map[v] - m) * (map[v] - m);
      const double deviation = std::sqrt(s2 / static_cast<double>(n));
      if (!(deviation > 0)) {
        std::cerr << "lvsi_habitat: " << name << " is constant over the ROI; left out\n";
        continue;
      }
      used.push_back(name);
      columns.push_back(&map);
      mean.push_back(m);
      sd.push_back(deviation);
    }
    if (used.empty()) throw lvsi::DataError(image_path, "no feature map varies over the ROI");
    const std::size_t d = used.size();
    std::vector<double> x(n * d);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < d; ++j) x[i * d + j] = ((*columns[j])[roi[i]] - mean[j]) / sd[j];
    std::mt19937_64 rng(seed);
    Clustering best;
    for (int r = 0; r < restarts; ++r) {
      Clustering c = KMeans(x, n, d, clusters, rng);
      if (c.inertia < best.inertia) best = std::move(c);
    }
    // Habitats numbered by ascending mean of the first feature.
    const auto k = static_cast<std::size_t>(clusters);
    std::vector<double> first(k, 0.0);
    std::vector<std::size_t> count(k, 0);
    for (std::size_t i = 0; i < n; ++i) {
      first[static_cast<std::size_t>(best.label[i])] += x[i * d];
      ++count[static_cast<std::size_t>(best.label[i])];
    }
    std::vector<std::size_t> order(k);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return first[a] / std::max<std::size_t>(count[a], 1) < first[b] / std::max<std::size_t>(count[b], 1);
    });
    std::vector<int> number(k);
    for (std::size_t rank = 0; rank < k; ++rank) number[order[rank]] = static_cast<int>(rank) + 1;

    fs::create_directories(out_dir);
    lvsi::LabelImage habitats(image.geometry(), 0);
    for (std::size_t i = 0; i < n; ++i) habitats[roi[i]] = number[static_cast<std::size_t>(best.label[i])];
    lvsi::io::WriteLabelImage(habitats, (fs::path(out_dir) / "habitats.nrrd").string());
    // Per habitat: size and each feature's mean (in the feature's unit).
    const auto& spacing = image.geometry().spacing;
    const double voxel_volume = spacing[0] * spacing[1] * spacing[2];
    lvsi::FeatureTable table;
    std::vector<std::string> names{"voxels", "volume_mm3"};
    names.insert(names.end(), used.begin(), used.end());
    std::vector<std::vector<double>> rows(k, std::vector<double>(names.size(), 0.0));
    for (std::size_t i = 0; i < n; ++i) {
      auto& row = rows[static_cast<std::size_t>(number[static_cast<std::size_t>(best.label[i])] - 1)];
      row[0] += 1;
      for (std::size_t j = 0; j < d; ++j) row[2 + j] += (*columns[j])[roi[i]];
    }
    std::vector<std::string> ids;
    for (std::size_t h = 0; h < k; ++h) {
      const double voxels = rows[h][0];
      rows[h][1] = voxels * voxel_volume;
      for (std::size_t j = 0; j < d; ++j) rows[h][2 + j] = voxels > 0 ? rows[h][2 + j] / voxels : std::nan("");
      ids.push_back("habitat_" + std::to_string(h + 1));
    }
    Eigen::MatrixXd values(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(names.size()));
    for (std::size_t h = 0; h < k; ++h)
      for (std::size_t c = 0; c < names.size(); ++c)
        values(static_cast<Eigen::Index>(h), static_cast<Eigen::Index>(c)) = rows[h][c];
    table = lvsi::FeatureTable(ids, names, values);
    lvsi::io::WriteFeatureTable(table, (fs::path(out_dir) / "habitats.csv").string());
    // The overlay on the slice with the most ROI voxels.
    const lvsi::Geometry& g = image.geometry();
    std::vector<std::size_t> per_slice(g.size[2], 0);
    for (std::size_t v : roi) ++per_slice[v / (g.size[0] * g.size[1])];
    const std::size_t z = static_cast<std::size_t>(std::max_element(per_slice.begin(), per_slice.end()) - per_slice.begin());
    // (the ROI's box on that slice with a margin of 15 voxels)
    std::size_t x0 = g.size[0], x1 = 0, y0 = g.size[1], y1 = 0;
    for (std::size_t v : roi)
      if (v / (g.size[0] * g.size[1]) == z) {
        const std::size_t xx = v % g.size[0], y = v / g.size[0] % g.size[1];
        x0 = std::min(x0, xx), x1 = std::max(x1, xx), y0 = std::min(y0, y), y1 = std::max(y1, y);
      }
    constexpr std::size_t kMargin = 15;
    x0 = x0 > kMargin ? x0 - kMargin : 0, y0 = y0 > kMargin ? y0 - kMargin : 0;
    x1 = std::min(g.size[0] - 1, x1 + kMargin), y1 = std::min(g.size[1] - 1, y1 + kMargin);
    lvsi::evaluation::LabelOverlay overlay;
    overlay.width = static_cast<int>(x1 - x0 + 1);
    overlay.height = static_cast<int>(y1 - y0 + 1);
    for (std::size_t y = y0; y <= y1; ++y)
      for (std::size_t xx = x0; xx <= x1; ++xx) {
        overlay.image.push_back(image(xx, y, z));
        overlay.labels.push_back(habitats(xx, y, z));
      }
    for (std::size_t h = 0; h < k; ++h)
      overlay.names.push_back("habitat " + std::to_string(h + 1) + " (" +
                              std::to_string(static_cast<long>(rows[h][0])) + " voxels)");
    lvsi::evaluation::PlotLabelOverlay(overlay, fs::path(image_path).filename().string() + ", slice " + std::to_string(z),
                                       (fs::path(out_dir) / "overlay.png").string());
    std::cout << "lvsi_habitat: " << k << " habitats of " << n << " voxels from " << d << " feature maps ("
              << maps.seconds << " s of voxel-based extraction); written to " << out_dir << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "lvsi_habitat: " << lvsi::DescribeError(e) << "\n";
    return static_cast<int>(lvsi::ExitStatusOf(e));
  }
}
