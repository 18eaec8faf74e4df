#include "lvsi/evaluation/figures.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <cstdint>
#include <functional>
#include <limits>

#include "lvsi/core/error.h"
#include "lvsi/evaluation/calibration.h"
#include "lvsi/evaluation/roc.h"

namespace lvsi::evaluation {
namespace fs = std::filesystem;
namespace {

constexpr double kSize = 360;                       // points (5 inches)
constexpr double kLeft = 52, kRight = 14, kTop = 30, kBottom = 46;

// A figure surface (PNG, SVG or PDF by extension) written atomically.
class Figure {
 public:
  explicit Figure(const std::string& path, double width = kSize, double height = kSize) : path_(path) {
    static std::atomic<unsigned> counter{0};
    ext_ = fs::path(path).extension().string();
    const fs::path p(path);
    std::error_code ec;
    if (!p.parent_path().empty() && !fs::is_directory(p.parent_path(), ec))
      throw IoError(path, "folder " + p.parent_path().string() + " does not exist");
    tmp_ = (p.parent_path() / (".tmp" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ext_)).string();
    if (ext_ == ".png") {
      scale_ = 1200 / kSize;
      surface_ = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(std::lround(width * scale_)),
                                            static_cast<int>(std::lround(height * scale_)));
    } else if (ext_ == ".svg") {
      surface_ = cairo_svg_surface_create(tmp_.c_str(), width, height);
    } else if (ext_ == ".pdf") {
      surface_ = cairo_pdf_surface_create(tmp_.c_str(), width, height);
    } else {
      throw FormatError(path, "unsupported figure format (expected .png, .svg or .pdf)");
    }
    cr_ = cairo_create(surface_);
    cairo_scale(cr_, scale_, scale_);
    cairo_set_source_rgb(cr_, 1, 1, 1);
    cairo_paint(cr_);
    cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  }
  ~Figure() {
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
    std::error_code ec;
    if (!done_) fs::remove(tmp_, ec);
  }
  cairo_t* cr() { return cr_; }

  void Save() {
    cairo_status_t status;
    if (ext_ == ".png") {
      status = cairo_surface_write_to_png(surface_, tmp_.c_str());
    } else {
      cairo_surface_finish(surface_);
      status = cairo_surface_status(surface_);
    }
    if (status != CAIRO_STATUS_SUCCESS)
      throw OutputError(path_, std::string("cannot write the figure: ") + cairo_status_to_string(status));
    std::error_code ec;
    fs::rename(tmp_, path_, ec);
    if (ec) throw OutputError(path_, "cannot move the figure into place: " + ec.message());
    done_ = true;
  }

  // Data -> page coordinates.
  void SetRange(double x0, double x1, double y0, double y1) {
    x0_ = x0;
    x1_ = x1;
    y0_ = y0;
    y1_ = y1;
  }
  double X(double x) const { return kLeft + (x - x0_) / (x1_ - x0_) * (kSize - kLeft - kRight); }
  double Y(double y) const { return kSize - kBottom - (y - y0_) / (y1_ - y0_) * (kSize - kTop - kBottom); }

  void Text(double x, double y, const std::string& s, double size, double align = 0, double rotate = 0) {
    cairo_save(cr_);
    cairo_set_font_size(cr_, size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr_, s.c_str(), &ext);
    cairo_translate(cr_, x, y);
    cairo_rotate(cr_, rotate);
    cairo_move_to(cr_, -align * ext.x_advance, 0);
    cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
    cairo_show_text(cr_, s.c_str());
    cairo_restore(cr_);
  }

  void Axes(const std::string& title, const std::string& xlabel, const std::string& ylabel, double xstep,
            double ystep) {
    cairo_set_line_width(cr_, 0.6);
    // Grid and ticks.
    for (double x = x0_; x <= x1_ + 1e-9; x += xstep) {
      cairo_set_source_rgb(cr_, 0.9, 0.9, 0.9);
      cairo_move_to(cr_, X(x), Y(y0_));
      cairo_line_to(cr_, X(x), Y(y1_));
      cairo_stroke(cr_);
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.1f", x);
      Text(X(x), Y(y0_) + 13, buf, 9, 0.5);
    }
    for (double y = std::ceil(y0_ / ystep - 1e-9) * ystep; y <= y1_ + 1e-9; y += ystep) {
      cairo_set_source_rgb(cr_, 0.9, 0.9, 0.9);
      cairo_move_to(cr_, X(x0_), Y(y));
      cairo_line_to(cr_, X(x1_), Y(y));
      cairo_stroke(cr_);
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.1f", std::abs(y) < 1e-12 ? 0.0 : y);
      Text(X(x0_) - 4, Y(y) + 3, buf, 9, 1);
    }
    cairo_set_source_rgb(cr_, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr_, 1.0);
    cairo_rectangle(cr_, X(x0_), Y(y1_), X(x1_) - X(x0_), Y(y0_) - Y(y1_));
    cairo_stroke(cr_);
    Text(kSize / 2, 18, title, 12, 0.5);
    Text((X(x0_) + X(x1_)) / 2, kSize - 12, xlabel, 10.5, 0.5);
    Text(14, (Y(y0_) + Y(y1_)) / 2, ylabel, 10.5, 0.5, -M_PI / 2);
  }

  void Line(const std::vector<std::pair<double, double>>& pts, const double rgb[3], double width, bool dashed = false) {
    if (pts.empty()) return;
    cairo_save(cr_);
    cairo_rectangle(cr_, X(x0_), Y(y1_), X(x1_) - X(x0_), Y(y0_) - Y(y1_));
    cairo_clip(cr_);
    cairo_set_source_rgb(cr_, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr_, width);
    cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
    if (dashed) {
      const double dash[2] = {4, 3};
      cairo_set_dash(cr_, dash, 2, 0);
    }
    cairo_move_to(cr_, X(pts[0].first), Y(pts[0].second));
    for (std::size_t i = 1; i < pts.size(); ++i) cairo_line_to(cr_, X(pts[i].first), Y(pts[i].second));
    cairo_stroke(cr_);
    cairo_restore(cr_);
  }

  void Marker(double x, double y, const double rgb[3]) {
    cairo_set_source_rgb(cr_, rgb[0], rgb[1], rgb[2]);
    cairo_arc(cr_, X(x), Y(y), 2.6, 0, 2 * M_PI);
    cairo_fill(cr_);
  }

  // Legend in the given corner of the plot (0 = bottom right, 1 = top right,
  // 2 = bottom left).
  void Legend(const std::vector<std::pair<std::string, const double*>>& entries, const std::vector<bool>& dashed,
              int corner) {
    const double line_h = 13, w = 190, h = line_h * static_cast<double>(entries.size()) + 6;
    const double x = corner == 2 ? X(x0_) + 6 : X(x1_) - w - 6;
    const double y = corner == 1 ? Y(y1_) + 6 : Y(y0_) - h - 6;
    cairo_set_source_rgba(cr_, 1, 1, 1, 0.85);
    cairo_rectangle(cr_, x, y, w, h);
    cairo_fill(cr_);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const double ly = y + 3 + line_h * (static_cast<double>(i) + 0.5);
      Line({}, entries[i].second, 1);
      cairo_save(cr_);
      cairo_set_source_rgb(cr_, entries[i].second[0], entries[i].second[1], entries[i].second[2]);
      cairo_set_line_width(cr_, 2);
      if (dashed[i]) {
        const double dash[2] = {4, 3};
        cairo_set_dash(cr_, dash, 2, 0);
      }
      cairo_move_to(cr_, x + 5, ly);
      cairo_line_to(cr_, x + 25, ly);
      cairo_stroke(cr_);
      cairo_restore(cr_);
      Text(x + 30, ly + 3.5, entries[i].first, 9);
    }
  }

 private:
  std::string path_, tmp_, ext_;
  double scale_ = 1;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  bool done_ = false;
  double x0_ = 0, x1_ = 1, y0_ = 0, y1_ = 1;
};

std::string Fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

void CheckModels(const std::vector<ModelScores>& models, const std::vector<int>& labels) {
  if (models.empty()) throw InvalidArgument("a figure needs at least one model");
  for (const auto& m : models)
    if (m.scores.size() != labels.size())
      throw InvalidArgument("model " + m.name + " has " + std::to_string(m.scores.size()) + " scores for " +
                            std::to_string(labels.size()) + " labels");
}

}  // namespace

void ModelColour(std::size_t index, double rgb[3]) {
  // Okabe-Ito colours: distinguishable with colour-vision deficiencies.
  static const double kPalette[][3] = {{0.000, 0.447, 0.698}, {0.835, 0.369, 0.000}, {0.000, 0.620, 0.451},
                                       {0.800, 0.475, 0.655}, {0.902, 0.624, 0.000}, {0.337, 0.706, 0.914},
                                       {0.941, 0.894, 0.259}};
  const auto& c = kPalette[index % 7];
  rgb[0] = c[0];
  rgb[1] = c[1];
  rgb[2] = c[2];
}

void PlotRocCurves(const std::vector<ModelScores>& models, const std::vector<int>& labels, const std::string& title,
                   const std::string& path) {
  CheckModels(models, labels);
  Figure f(path);
  f.SetRange(0, 1, 0, 1);
  f.Axes(title, "1 - Specificity", "Sensitivity", 0.2, 0.2);
  const double grey[3] = {0.55, 0.55, 0.55};
  f.Line({{0, 0}, {1, 1}}, grey, 0.8, true);
  std::vector<std::pair<std::string, const double*>> legend;
  std::vector<bool> dashed;
  std::vector<std::array<double, 3>> colours(models.size());
  for (std::size_t m = 0; m < models.size(); ++m) {
    ModelColour(m, colours[m].data());
    const auto curve = RocCurve(models[m].scores, labels);
    std::vector<std::pair<double, double>> pts;
    for (auto it = curve.rbegin(); it != curve.rend(); ++it) pts.emplace_back(1 - it->specificity, it->sensitivity);
    f.Line(pts, colours[m].data(), 1.8);
    const auto auc = DeLongAuc(models[m].scores, labels);
    legend.emplace_back(models[m].name + "  AUC " + Fixed3(auc.auc) + " (" + Fixed3(auc.ci_low) + "-" +
                            Fixed3(auc.ci_high) + ")",
                        colours[m].data());
    dashed.push_back(false);
  }
  f.Legend(legend, dashed, 0);
  f.Save();
}

void PlotCalibrationCurves(const std::vector<ModelScores>& models, const std::vector<int>& labels,
                           const std::string& title, const std::string& path) {
  CheckModels(models, labels);
  Figure f(path);
  f.SetRange(0, 1, 0, 1);
  f.Axes(title, "Predicted probability", "Observed fraction", 0.2, 0.2);
  const double grey[3] = {0.55, 0.55, 0.55};
  f.Line({{0, 0}, {1, 1}}, grey, 0.8, true);
  std::vector<std::pair<std::string, const double*>> legend{{"Ideal", grey}};
  std::vector<bool> dashed{true};
  std::vector<std::array<double, 3>> colours(models.size());
  for (std::size_t m = 0; m < models.size(); ++m) {
    ModelColour(m, colours[m].data());
    std::vector<std::pair<double, double>> pts;
    for (const auto& b : CalibrationCurve(models[m].scores, labels, 10, true)) pts.emplace_back(b.mean_predicted, b.observed);
    f.Line(pts, colours[m].data(), 1.6);
    for (const auto& [x, y] : pts) f.Marker(x, y, colours[m].data());
    std::string text = models[m].name;
    try {
      text += "  HL p = " + Fixed3(HosmerLemeshow(models[m].scores, labels).p);
    } catch (const InvalidArgument&) {
      text += "  HL p n/a";
    }
    legend.emplace_back(text, colours[m].data());
    dashed.push_back(false);
  }
  f.Legend(legend, dashed, 0);
  f.Save();
}

void PlotDecisionCurves(const std::vector<ModelScores>& models, const std::vector<int>& labels,
                        const std::string& title, const std::string& path) {
  CheckModels(models, labels);
  std::vector<double> thresholds;
  for (int k = 1; k < 100; ++k) thresholds.push_back(k / 100.0);
  double prevalence = 0;
  for (int l : labels) prevalence += l;
  prevalence /= static_cast<double>(labels.size());
  const double ymax = std::max(0.1, std::ceil(prevalence * 10 + 0.5) / 10);
  const double ymin = -0.1;
  Figure f(path);
  f.SetRange(0, 1, ymin, ymax);
  f.Axes(title, "Threshold probability", "Net benefit", 0.2, ymax > 0.5 ? 0.2 : 0.1);
  const double black[3] = {0.15, 0.15, 0.15}, grey[3] = {0.55, 0.55, 0.55};
  std::vector<std::pair<double, double>> all, none;
  for (double t : thresholds) {
    all.emplace_back(t, NetBenefitTreatAll(labels, t));
    none.emplace_back(t, 0.0);
  }
  f.Line(all, grey, 1.2, true);
  f.Line(none, black, 1.2);
  std::vector<std::pair<std::string, const double*>> legend{{"Treat all", grey}, {"Treat none", black}};
  std::vector<bool> dashed{true, false};
  std::vector<std::array<double, 3>> colours(models.size());
  for (std::size_t m = 0; m < models.size(); ++m) {
    ModelColour(m, colours[m].data());
    std::vector<std::pair<double, double>> pts;
    for (double t : thresholds) pts.emplace_back(t, NetBenefit(models[m].scores, labels, t));
    f.Line(pts, colours[m].data(), 1.8);
    legend.emplace_back(models[m].name, colours[m].data());
    dashed.push_back(false);
  }
  f.Legend(legend, dashed, 2);
  f.Save();
}

namespace {

// Google's Turbo colour map (polynomial approximation), x in [0, 1].
void Turbo(double x, double rgb[3]) {
  x = std::clamp(x, 0.0, 1.0);
  const double r = 0.13572138 + x * (4.61539260 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  const double g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  const double b = 0.10667330 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  rgb[0] = std::clamp(r, 0.0, 1.0);
  rgb[1] = std::clamp(g, 0.0, 1.0);
  rgb[2] = std::clamp(b, 0.0, 1.0);
}

// An RGB image surface from 0..1 channel values (row-major).
cairo_surface_t* RgbSurface(int width, int height, const std::function<void(int, int, double*)>& pixel) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_surface_flush(s);
  unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < height; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < width; ++x) {
      double c[3];
      pixel(x, y, c);
      auto byte = [](double v) { return static_cast<std::uint32_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
      row[x] = (byte(c[0]) << 16) | (byte(c[1]) << 8) | byte(c[2]);
    }
  }
  cairo_surface_mark_dirty(s);
  return s;
}

// Paints `surface` scaled into the rectangle (smooth interpolation).
void PaintScaled(cairo_t* cr, cairo_surface_t* surface, double x, double y, double w, double h) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, w / cairo_image_surface_get_width(surface), h / cairo_image_surface_get_height(surface));
  cairo_set_source_surface(cr, surface, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
  cairo_rectangle(cr, 0, 0, cairo_image_surface_get_width(surface), cairo_image_surface_get_height(surface));
  cairo_fill(cr);
  cairo_restore(cr);
}

}  // namespace

void PlotHeatmapPanels(const std::vector<HeatmapPanel>& panels, const std::string& title, const std::string& path) {
  if (panels.empty()) throw InvalidArgument("a heat-map figure needs at least one panel");
  for (const auto& p : panels) {
    const auto count = static_cast<std::size_t>(std::max(0, p.width)) * static_cast<std::size_t>(std::max(0, p.height));
    if (p.width < 1 || p.height < 1 || p.image.size() != count || p.heat.size() != count)
      throw InvalidArgument("heat-map panel '" + p.caption + "': image and heat must both hold width x height values");
  }
  const int cols = static_cast<int>(std::min<std::size_t>(panels.size(), 4));
  const int rows = static_cast<int>((panels.size() + static_cast<std::size_t>(cols) - 1) / static_cast<std::size_t>(cols));
  constexpr double kPanel = 150, kGap = 8, kCaption = 14, kBar = 60;
  const double width = kGap + cols * (kPanel + kGap) + kBar;
  const double height = 30 + rows * (kPanel + kCaption + kGap) + kGap;
  Figure f(path, width, height);
  cairo_t* cr = f.cr();
  f.Text(width / 2, 19, title, 12, 0.5);
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const auto& p = panels[i];
    const auto extremes = std::minmax_element(p.image.begin(), p.image.end());
    const double lo = *extremes.first, hi = *extremes.second;
    const double range = hi > lo ? hi - lo : 1;
    cairo_surface_t* s = RgbSurface(p.width, p.height, [&](int x, int y, double* c) {
      const std::size_t k = static_cast<std::size_t>(y) * static_cast<std::size_t>(p.width) + static_cast<std::size_t>(x);
      const double grey = (p.image[k] - lo) / range;
      double heat[3];
      Turbo(p.heat[k], heat);
      // Opacity grows with the heat: cold regions show the anatomy.
      const double alpha = 0.65 * std::clamp(p.heat[k], 0.0, 1.0);
      for (int ch = 0; ch < 3; ++ch) c[ch] = (1 - alpha) * grey + alpha * heat[ch];
    });
    const double side = kPanel / std::max(p.width, p.height);
    const double x = kGap + static_cast<double>(i % static_cast<std::size_t>(cols)) * (kPanel + kGap);
    const double y = 30 + static_cast<double>(i / static_cast<std::size_t>(cols)) * (kPanel + kCaption + kGap);
    PaintScaled(cr, s, x + (kPanel - side * p.width) / 2, y + (kPanel - side * p.height) / 2, side * p.width,
                side * p.height);
    cairo_surface_destroy(s);
    f.Text(x + kPanel / 2, y + kPanel + 11, p.caption, 9, 0.5);
  }
  // Colour bar.
  const double bx = width - kBar + 10, by = 40, bh = std::min(200.0, height - 60);
  cairo_surface_t* bar = RgbSurface(1, 256, [](int, int y, double* c) { Turbo(1 - y / 255.0, c); });
  PaintScaled(cr, bar, bx, by, 12, bh);
  cairo_surface_destroy(bar);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 0.6);
  cairo_rectangle(cr, bx, by, 12, bh);
  cairo_stroke(cr);
  for (int t = 0; t <= 2; ++t) f.Text(bx + 15, by + bh * (1 - t / 2.0) + 3, t == 0 ? "0" : t == 1 ? "0.5" : "1", 8);
  f.Text(bx + 6, by + bh + 14, "Grad-CAM", 7.5, 0.5);
  f.Save();
}

void PlotLabelOverlay(const LabelOverlay& o, const std::string& title, const std::string& path) {
  const auto count = static_cast<std::size_t>(std::max(0, o.width)) * static_cast<std::size_t>(std::max(0, o.height));
  if (o.width < 1 || o.height < 1 || o.image.size() != count || o.labels.size() != count)
    throw InvalidArgument("label overlay: image and labels must both hold width x height values");
  for (int l : o.labels)
    if (l < 0 || static_cast<std::size_t>(l) > o.names.size())
      throw InvalidArgument("label overlay: label " + std::to_string(l) + " has no legend name (" +
                            std::to_string(o.names.size()) + " names)");
  constexpr double kPanel = 300, kGap = 10, kLegend = 150;
  const double width = kGap + kPanel + kGap + kLegend, height = 30 + kPanel + kGap;
  Figure f(path, width, height);
  cairo_t* cr = f.cr();
  f.Text(width / 2, 19, title, 12, 0.5);
  const auto extremes = std::minmax_element(o.image.begin(), o.image.end());
  const double lo = *extremes.first, range = *extremes.second > lo ? *extremes.second - lo : 1;
  cairo_surface_t* s = RgbSurface(o.width, o.height, [&](int x, int y, double* c) {
    const std::size_t k = static_cast<std::size_t>(y) * static_cast<std::size_t>(o.width) + static_cast<std::size_t>(x);
    const double grey = (o.image[k] - lo) / range;
    double colour[3] = {grey, grey, grey};
    if (o.labels[k] > 0) ModelColour(static_cast<std::size_t>(o.labels[k] - 1), colour);
    const double alpha = o.labels[k] > 0 ? 0.55 : 0.0;
    for (int ch = 0; ch < 3; ++ch) c[ch] = (1 - alpha) * grey + alpha * colour[ch];
  });
  const double side = kPanel / std::max(o.width, o.height);
  PaintScaled(cr, s, kGap + (kPanel - side * o.width) / 2, 30 + (kPanel - side * o.height) / 2, side * o.width,
              side * o.height);
  cairo_surface_destroy(s);
  const double lx = kGap + kPanel + kGap;
  for (std::size_t k = 0; k < o.names.size(); ++k) {
    double colour[3];
    ModelColour(k, colour);
    const double y = 40 + 16 * static_cast<double>(k);
    cairo_set_source_rgb(cr, colour[0], colour[1], colour[2]);
    cairo_rectangle(cr, lx, y - 8, 10, 10);
    cairo_fill(cr);
    f.Text(lx + 14, y, o.names[k], 8);
  }
  f.Save();
}

}  // namespace lvsi::evaluation
