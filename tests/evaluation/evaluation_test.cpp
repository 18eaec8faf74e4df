// The reporting layer: figures, tables and the lvsi_evaluate program.
#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/evaluation.h"
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

// A label overlay colours labelled pixels with their label's colour and
// leaves label 0 as the image.
TEST(Figures, LabelOverlayColoursTheLabels) {
  const std::string dir = testing::ScratchDir("label_overlay");
  LabelOverlay o;
  o.width = 40;
  o.height = 30;
  o.image.assign(40 * 30, 0.0);
  o.image[0] = 1;
  for (int y = 0; y < 30; ++y)
    for (int x = 0; x < 40; ++x) o.labels.push_back(x < 20 ? 1 : 0);
  o.names = {"habitat 1"};
  PlotLabelOverlay(o, "habitats", dir + "/o.png");
  cairo_surface_t* s = cairo_image_surface_create_from_png((dir + "/o.png").c_str());
  ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  auto rgb = [&](double fx, double fy, int c) {  // fraction of the image (300 x 225 pt at x = 10, y = 67.5)
    const double scale = 1200.0 / 360;
    const int x = static_cast<int>((10 + 300 * fx) * scale), y = static_cast<int>((67.5 + 225 * fy) * scale);
    const auto pixel = *reinterpret_cast<const std::uint32_t*>(data + y * stride + x * 4);
    return static_cast<int>((pixel >> (16 - 8 * c)) & 0xff);
  };
  double colour[3];
  ModelColour(0, colour);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(rgb(0.25, 0.5, c), 255 * 0.55 * colour[c], 3) << c;  // label 1 over black
    EXPECT_EQ(rgb(0.75, 0.5, c), 0);                                // label 0: the image
  }
  cairo_surface_destroy(s);
  o.labels[5] = 2;  // no name for label 2
  EXPECT_THROW(PlotLabelOverlay(o, "x", dir + "/bad.png"), InvalidArgument);
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

// EvaluatePredictions' typed result: its figures are the statistics' own,
// its JSON carries the same numbers, and a backwards model is flagged.
TEST(StudyEvaluation, TypedResultAgreesWithTheStatisticsAndItsJson) {
  const std::vector<int> y = Labels(120);
  PredictionSet set;
  set.labels = y;
  set.models = {"A", "B"};
  set.scores["A"] = Probabilities(y, 1);
  std::vector<double> backwards;
  for (double v : Probabilities(y, 2)) backwards.push_back(1 - v);
  set.scores["B"] = backwards;
  for (std::size_t i = 0; i < y.size(); ++i) set.cohorts.push_back(i % 4 == 1 ? "validation" : "train");
  EvaluationSettings o;
  o.bootstrap = 0;
  o.figure_formats = {};
  o.table_formats = {};
  const EvaluationResult r = EvaluatePredictions(set, o, testing::ScratchDir("typed_evaluation"));
  EXPECT_EQ(r.cohorts, (std::vector<std::string>{"train", "validation"}));
  std::vector<double> a_valid;
  std::vector<int> y_valid;
  for (std::size_t i = 0; i < y.size(); ++i)
    if (set.cohorts[i] == "validation") {
      a_valid.push_back(set.scores["A"][i]);
      y_valid.push_back(y[i]);
    }
  const ModelEvaluation& e = r.At("A", "validation");
  EXPECT_EQ(e.auc.auc, DeLongAuc(a_valid, y_valid).auc);
  EXPECT_EQ(e.n, y_valid.size());
  EXPECT_EQ(e.cutoff_source, "train");
  EXPECT_EQ(e.net_benefit.size(), 99u);
  EXPECT_EQ(e.net_benefit[49], NetBenefit(a_valid, y_valid, 0.5));
  ASSERT_EQ(r.delong.at("validation").size(), 1u);
  EXPECT_EQ(r.delong.at("validation")[0].a, "B");
  EXPECT_THROW(r.At("C", "train"), InvalidArgument);
  // B ranks its training cohort backwards.
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].rfind("B: AUC", 0), 0u) << r.warnings[0];
  const auto j = nlohmann::json::parse(r.ToJson());
  EXPECT_EQ(j["models"]["A"]["validation"]["auc"].get<double>(), e.auc.auc);
  EXPECT_EQ(j["models"]["A"]["validation"]["net_benefit"]["0.50"].get<double>(), e.net_benefit[49]);
  EXPECT_EQ(j["delong"]["validation"]["B_vs_A"]["p"].get<double>(), r.delong.at("validation")[0].test.p);
  EXPECT_EQ(j["warnings"].size(), 1u);
  EXPECT_NE(r.BriefReport().find("A validation: AUC"), std::string::npos) << r.BriefReport();
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


TEST(Settings, EvaluationAndTable1SettingsSayWhatIsWrong) {
  std::string why;
  EvaluationSettings e;
  e.figure_formats = {".gif"};
  EXPECT_FALSE(e.IsValid(&why));
  EXPECT_NE(why.find(".gif"), std::string::npos);
  PredictionSet set;
  set.labels = Labels(30);
  set.models = {"A"};
  set.scores["A"] = Probabilities(set.labels, 1);
  EXPECT_THROW(EvaluatePredictions(set, e, testing::ScratchDir("bad_settings")), InvalidArgument);
  Table1Settings t;
  t.positive_name = t.negative_name;
  EXPECT_FALSE(t.IsValid(&why));
  EXPECT_THROW(BuildTable1({}, set.labels, t), InvalidArgument);
  EXPECT_TRUE(EvaluationSettings().IsValid() && Table1Settings().IsValid() && stats::MannWhitneySettings().IsValid());
}

}  // namespace
}  // namespace lvsi::evaluation
