// Properties of the evaluation statistics.
#include <cairo.h>
#include <gtest/gtest.h>

#include <cstdint>

#include <cmath>
#include <limits>
#include <random>

#include "lvsi/core/error.h"
#include "lvsi/evaluation.h"

namespace lvsi::evaluation {
namespace {

TEST(Roc, PerfectReversedAndShrinkingInterval) {
  std::vector<double> s{0.1, 0.2, 0.3, 0.6, 0.7, 0.9};
  std::vector<int> y{0, 0, 0, 1, 1, 1};
  EXPECT_DOUBLE_EQ(DeLongAuc(s, y).auc, 1.0);
  std::vector<double> r;
  for (double v : s) r.push_back(-v);
  EXPECT_DOUBLE_EQ(DeLongAuc(r, y).auc, 0.0);
  // The DeLong interval narrows as the cohort grows.
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 1);
  double previous = 1;
  for (int n : {40, 400, 4000}) {
    std::vector<double> sc;
    std::vector<int> lab;
    for (int i = 0; i < n; ++i) {
      lab.push_back(i % 2);
      sc.push_back(noise(rng) + (i % 2));
    }
    const auto a = DeLongAuc(sc, lab);
    EXPECT_LT(a.ci_high - a.ci_low, previous);
    previous = a.ci_high - a.ci_low;
  }
}

TEST(Roc, PlainAucAgreesWithDeLongAndAcceptsConstantScores) {
  const std::vector<double> s = {0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2};
  const std::vector<int> y = {0, 0, 1, 1, 1, 1, 0};
  EXPECT_NEAR(Auc(s, y), DeLongAuc(s, y).auc, 1e-15);
  EXPECT_DOUBLE_EQ(Auc({0.3, 0.3, 0.3}, {0, 1, 1}), 0.5);
  EXPECT_THROW(Auc({0.3, 0.3}, {1, 1}), InvalidArgument);
}

TEST(Roc, BadInput) {
  EXPECT_THROW(DeLongAuc({0.1, 0.2}, {1, 1}), InvalidArgument);              // one class
  EXPECT_THROW(DeLongAuc({0.1, 0.2, 0.3}, {0, 1}), InvalidArgument);         // lengths
  EXPECT_THROW(DeLongAuc({0.1, std::nan(""), 0.3}, {0, 1, 1}), InvalidArgument);
  EXPECT_THROW(DeLongAuc({0.1, 0.2}, {0, 2}), InvalidArgument);
  EXPECT_THROW(DeLongAuc({0.4, 0.4, 0.4}, {0, 1, 1}), InvalidArgument);       // all scores equal
  EXPECT_THROW(YoudenOptimal({0.4, 0.4, 0.4}, {0, 1, 1}), InvalidArgument);
  EXPECT_EQ(MetricsAt({0.4, 0.4, 0.4}, {0, 1, 1}, 0.5).tn, 1);                 // a fixed cut-off still applies
  // The same ranking: no variance, no evidence of a difference.
  const auto same = PairedDeLongTest({0.1, 0.2, 0.3, 0.25}, {1, 2, 3, 2.5}, {0, 1, 1, 0});
  EXPECT_EQ(same.z, 0.0);
  EXPECT_EQ(same.p, 1.0);
  EXPECT_THROW(BrierScore({0.5, 1.2}, {0, 1}), InvalidArgument);
  EXPECT_THROW(NetBenefit({0.5, 0.2}, {0, 1}, 1.0), InvalidArgument);
  EXPECT_THROW(NetBenefitTreatAll({0, 1}, 0), InvalidArgument);
  EXPECT_THROW(HosmerLemeshow({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), InvalidArgument);  // all equal
}

TEST(DecisionCurve, TreatNoneIsZeroAndPerfectModelGainsPrevalence) {
  std::vector<double> p{0.05, 0.1, 0.9, 0.95};
  std::vector<int> y{0, 0, 1, 1};
  for (double t : {0.2, 0.5, 0.8}) {
    // Treating nobody (every probability below the threshold) has no benefit.
    EXPECT_EQ(NetBenefit({0.01, 0.01, 0.01, 0.01}, y, t), 0.0);
    EXPECT_DOUBLE_EQ(NetBenefit(p, y, t), 0.5);
  }
}

TEST(Tests, HandCheckedValues) {
  // 2x2 Fisher: the classic tea-tasting table, two-sided p = 0.4857.
  EXPECT_NEAR(FisherExactTest({{3, 1}, {1, 3}}).p, 0.4857142857, 1e-9);
  // Exact Mann-Whitney without ties: x all below y, n = 3 + 3: p = 2/20.
  EXPECT_NEAR(MannWhitneyU({1, 2, 3}, {4, 5, 6}, {true, true}).p, 0.1, 1e-12);
  EXPECT_THROW(MannWhitneyU({1, 2, 2}, {4, 5, 6}, {true, true}), InvalidArgument);
  const auto holm = HolmAdjust({0.01, 0.04, 0.03});
  EXPECT_NEAR(holm[0], 0.03, 1e-15);
  EXPECT_NEAR(holm[1], 0.06, 1e-15);
  EXPECT_NEAR(holm[2], 0.06, 1e-15);
  EXPECT_EQ(BonferroniAdjust({0.5, 0.2})[0], 1.0);
  const auto icc = IntraclassCorrelation({{1, 1}, {2, 2}, {3, 3}, {4, 4}});
  EXPECT_NEAR(icc.icc1, 1.0, 1e-12);
  EXPECT_NEAR(icc.icc3, 1.0, 1e-12);
  double lo, hi;
  ClopperPearson(0, 10, 0.95, &lo, &hi);
  EXPECT_EQ(lo, 0);
  EXPECT_NEAR(hi, 1 - std::pow(0.025, 0.1), 1e-12);
}

}  // namespace
}  // namespace lvsi::evaluation

#include <filesystem>
#include <fstream>

#include "lvsi/core/csv.h"
#include "test_util.h"

namespace lvsi::evaluation {
namespace {

std::vector<int> Labels(int n) {
  std::vector<int> y;
  for (int i = 0; i < n; ++i) y.push_back(i % 3 == 0);
  return y;
}

std::vector<double> Probabilities(const std::vector<int>& y, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> p;
  for (int v : y) p.push_back(std::min(0.99, std::max(0.01, 0.35 * u(rng) + (v ? 0.45 : 0.1) + 0.2 * u(rng))));
  return p;
}

TEST(Figures, WriteValidPngSvgAndPdf) {
  const std::string dir = testing::ScratchDir("figures");
  const auto y = Labels(60);
  const std::vector<ModelScores> models{{"Rad", Probabilities(y, 1)}, {"DL", Probabilities(y, 2)}};
  for (const std::string ext : {".png", ".svg", ".pdf"}) {
    PlotRocCurves(models, y, "ROC", dir + "/roc" + ext);
    PlotCalibrationCurves(models, y, "Calibration", dir + "/cal" + ext);
    PlotDecisionCurves(models, y, "Decision", dir + "/dca" + ext);
    for (const char* name : {"roc", "cal", "dca"}) {
      const std::string text = ReadTextFile(dir + "/" + name + ext);
      ASSERT_GT(text.size(), 1000u) << name << ext;
      if (ext == ".png") {
        EXPECT_EQ(text.substr(0, 8), "\x89PNG\r\n\x1a\n");
        // IHDR: width and height 1200 (big-endian at offsets 16 and 20).
        auto be32 = [&](std::size_t o) {
          return (static_cast<unsigned>(static_cast<unsigned char>(text[o])) << 24) |
                 (static_cast<unsigned>(static_cast<unsigned char>(text[o + 1])) << 16) |
                 (static_cast<unsigned>(static_cast<unsigned char>(text[o + 2])) << 8) |
                 static_cast<unsigned>(static_cast<unsigned char>(text[o + 3]));
        };
        EXPECT_EQ(be32(16), 1200u);
        EXPECT_EQ(be32(20), 1200u);
      } else if (ext == ".svg") {
        EXPECT_NE(text.find("<svg"), std::string::npos);
        EXPECT_NE(text.find("width=\"360pt\""), std::string::npos);
        EXPECT_NE(text.find("</svg>"), std::string::npos);
      } else {
        EXPECT_EQ(text.substr(0, 5), "%PDF-");
        EXPECT_NE(text.find("/MediaBox [ 0 0 360 360 ]"), std::string::npos);
        EXPECT_NE(text.find("%%EOF"), std::string::npos);
      }
    }
  }
  EXPECT_THROW(PlotRocCurves(models, y, "x", dir + "/roc.jpg"), FormatError);
  EXPECT_THROW(PlotRocCurves(models, y, "x", dir + "/missing/roc.png"), IoError);
  EXPECT_THROW(PlotRocCurves({{"bad", {0.1}}}, y, "x", dir + "/roc.png"), InvalidArgument);
}

// A uniform black image with heat 1 on the left half and 0 on the right:
// the left shows the hot end of the colour map (red), the right the image
// itself (no overlay where there is no heat).
TEST(Figures, HeatmapPanelsOverlayTheMap) {
  const std::string dir = testing::ScratchDir("heatmaps");
  HeatmapPanel p;
  p.caption = "case 1";
  p.width = 40;
  p.height = 30;
  p.image.assign(40 * 30, 0.0);
  p.image[0] = 1;  // a range for the grey scale
  for (int y = 0; y < 30; ++y)
    for (int x = 0; x < 40; ++x) p.heat.push_back(x < 20 ? 1.0 : 0.0);
  PlotHeatmapPanels({p}, "Grad-CAM", dir + "/one.png");
  cairo_surface_t* s = cairo_image_surface_create_from_png((dir + "/one.png").c_str());
  ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  auto rgb = [&](double fx, double fy, int c) {  // fraction of the first panel (150 pt wide at x = 8, y = 30)
    const double scale = 1200.0 / 360;
    const int x = static_cast<int>((8 + 150 * fx) * scale), y = static_cast<int>((30 + 19 + 112 * fy) * scale);
    const auto pixel = *reinterpret_cast<const std::uint32_t*>(data + y * stride + x * 4);
    return static_cast<int>((pixel >> (16 - 8 * c)) & 0xff);
  };
  EXPECT_GT(rgb(0.25, 0.5, 0), rgb(0.25, 0.5, 2) + 40);  // hot: red
  for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb(0.75, 0.5, c), 0);  // no heat: the black image
  cairo_surface_destroy(s);
  PlotHeatmapPanels(std::vector<HeatmapPanel>(6, p), "six", dir + "/six.svg");
  EXPECT_NE(ReadTextFile(dir + "/six.svg").find("<svg"), std::string::npos);
  HeatmapPanel bad = p;
  bad.heat.pop_back();
  EXPECT_THROW(PlotHeatmapPanels({bad}, "x", dir + "/bad.png"), InvalidArgument);
  EXPECT_THROW(PlotHeatmapPanels({}, "x", dir + "/bad.png"), InvalidArgument);
}

TEST(Tables, Table1PicksTestsAndFormats) {
  const std::vector<int> y{0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  const std::vector<ClinicalVariable> vars{
      {"age", {"40", "42", "38", "45", "50", "52", "48", "55", "", "51"}},
      {"stage", {"I", "I", "I", "II", "II", "II", "I", "II", "II", "II"}}};
  const ReportTable t = BuildTable1(vars, y);
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[0][0], "age, mean ± SD");
  EXPECT_EQ(t.rows[0][1], "41.2 ± 3.0");
  EXPECT_EQ(t.rows[0][4], "Welch t-test");
  EXPECT_EQ(t.rows[1][4], "Fisher's exact test");  // expected counts below 5
  EXPECT_EQ(t.rows[2][1], "3 (75.0%)");
  EXPECT_NE(t.ToMarkdown().find("| age, mean ± SD |"), std::string::npos);
  EXPECT_NE(t.ToHtml().find("<td>Fisher&#39;s") == std::string::npos ? t.ToHtml().find("Fisher's exact") : 0,
            std::string::npos);
  EXPECT_EQ(FormatP(0.0004), "<0.001");
  EXPECT_EQ(FormatP(0.04176), "0.042");
  EXPECT_THROW(BuildTable1({{"age", {"1"}}}, y), InvalidArgument);
  const std::string dir = testing::ScratchDir("tables");
  t.Write(dir + "/t1.csv");
  EXPECT_EQ(ReadCsv(dir + "/t1.csv").rows.size(), 4u);
  EXPECT_THROW(t.Write(dir + "/t1.docx"), FormatError);
}

TEST(Calibration, InterceptSlopeAndBootstrap) {
  // Outcomes drawn from the predicted probabilities: slope near 1,
  // intercept near 0.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> p;
  std::vector<int> y;
  for (int i = 0; i < 20000; ++i) {
    const double q = 0.05 + 0.9 * u(rng);
    p.push_back(q);
    y.push_back(u(rng) < q);
  }
  const auto fit = CalibrationInterceptSlope(p, y);
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.slope, 1.0, 0.08);
  EXPECT_NEAR(fit.intercept, 0.0, 0.05);
  // Over-confident predictions (logits doubled) give a slope near 1/2.
  std::vector<double> sharp;
  for (double q : p) sharp.push_back(1 / (1 + std::exp(-2 * std::log(q / (1 - q)))));
  EXPECT_NEAR(CalibrationInterceptSlope(sharp, y).slope, 0.5, 0.05);
  const auto bins = CalibrationCurve(p, y, 10, false);
  EXPECT_EQ(bins.size(), 10u);
  for (const auto& b : bins) EXPECT_NEAR(b.observed, b.mean_predicted, 0.05);
  const auto a = BootstrapAuc(std::vector<double>(p.begin(), p.begin() + 300), std::vector<int>(y.begin(), y.begin() + 300), 500, 7);
  const auto b = BootstrapAuc(std::vector<double>(p.begin(), p.begin() + 300), std::vector<int>(y.begin(), y.begin() + 300), 500, 7);
  EXPECT_EQ(a.ci_low, b.ci_low);  // seeded
  EXPECT_LT(a.ci_low, a.auc);
  EXPECT_GT(a.ci_high, a.auc);
  const auto un = UnpairedDeLongTest(std::vector<double>(p.begin(), p.begin() + 300), std::vector<int>(y.begin(), y.begin() + 300),
                                     std::vector<double>(p.begin() + 300, p.begin() + 600), std::vector<int>(y.begin() + 300, y.begin() + 600));
  EXPECT_GT(un.p, 0.0);
  EXPECT_LE(un.p, 1.0);
}

TEST(Cli, EvaluateWritesReportTablesAndFigures) {
  const std::string dir = testing::ScratchDir("evaluate_cli");
  const auto y = Labels(90);
  const auto a = Probabilities(y, 3), b = Probabilities(y, 4);
  std::string csv = "id,label,split,rad,dl,age\n";
  for (std::size_t i = 0; i < y.size(); ++i)
    csv += "P" + std::to_string(i) + "," + std::to_string(y[i]) + "," + (i < 60 ? "train" : "validation") + "," +
           FormatDouble(a[i]) + "," + FormatDouble(b[i]) + "," + std::to_string(40 + i % 20) + "\n";
  WriteFileAtomically(dir + "/pred.csv", csv);
  const std::string cmd = std::string(LVSI_EVALUATE_CLI) + " " + dir + "/pred.csv --scores rad,dl --cohort-column split --clinical age -o " + dir + "/out 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string report = ReadTextFile(dir + "/out/report.json");
  for (const char* key : {"\"auc_ci\"", "\"hl_p\"", "\"p_bonferroni\"", "\"calibration_slope\"", "\"validation\""})
    EXPECT_NE(report.find(key), std::string::npos) << key;
  for (const char* f : {"roc_train.png", "roc_validation.pdf", "calibration_validation.svg", "decision_train.png",
                        "table2.html", "table1_train.md", "table1_validation.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir + "/out/" + f)) << f;
  // A probability outside [0, 1] is refused with the line named.
  WriteFileAtomically(dir + "/bad.csv", "label,rad\n0,0.2\n1,1.7\n");
  ASSERT_NE(std::system((std::string(LVSI_EVALUATE_CLI) + " " + dir + "/bad.csv --scores rad -o " + dir + "/bad 2>" + dir + "/err.txt").c_str()), 0);
  EXPECT_NE(ReadTextFile(dir + "/err.txt").find("line 3: rad = 1.7 is not a probability"), std::string::npos);
}

}  // namespace
}  // namespace lvsi::evaluation
