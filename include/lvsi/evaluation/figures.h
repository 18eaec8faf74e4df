#pragma once
/// \file
/// Figures of the study drawn with Cairo: ROC curves, calibration curves and
/// decision curves of several models.  The format follows the extension:
/// .png (1200 x 1200 pixels), .svg or .pdf (5 x 5 inches, vector).

#include <string>
#include <vector>

#include "lvsi/evaluation/export.h"

namespace lvsi::evaluation {

/// One model's predictions for the cases of a figure.
struct ModelScores {
  std::string name;            ///< Legend text, e.g. "RDL".
  std::vector<double> scores;  ///< One per case (probabilities for calibration and decision curves).
};

/// Colour of a model in every figure, by its position in the model list
/// (the same index gives the same colour everywhere), as RGB in [0, 1].
LVSI_EVALUATION_EXPORT void ModelColour(std::size_t index, double rgb[3]);

/// ROC curves with the AUC (95% DeLong CI) of each model in the legend.
/// Throws InvalidArgument for bad data, IoError/FormatError for the file.
LVSI_EVALUATION_EXPORT void PlotRocCurves(const std::vector<ModelScores>& models, const std::vector<int>& labels,
                                          const std::string& title, const std::string& path);

/// Calibration curves (decile bins) with the ideal diagonal and the
/// Hosmer-Lemeshow p of each model in the legend.
LVSI_EVALUATION_EXPORT void PlotCalibrationCurves(const std::vector<ModelScores>& models,
                                                  const std::vector<int>& labels, const std::string& title,
                                                  const std::string& path);

/// Decision curves (net benefit over thresholds 0.01-0.99) with treat-all
/// and treat-none.
LVSI_EVALUATION_EXPORT void PlotDecisionCurves(const std::vector<ModelScores>& models, const std::vector<int>& labels,
                                               const std::string& title, const std::string& path);

/// One panel of PlotHeatmapPanels: a grey-scale image and a heat map of
/// the same size (row-major, `width` x `height`), e.g. a Grad-CAM map
/// upsampled to its input slice.
struct HeatmapPanel {
  std::string caption;        ///< Shown under the panel, e.g. the case id and probability.
  int width = 0, height = 0;  ///< Pixels.
  std::vector<double> image;  ///< Intensities, shown min-max scaled in grey.
  std::vector<double> heat;   ///< In [0, 1], overlaid with the Turbo colour map, opacity 0.65 x heat.
};

/// Heat maps overlaid on their images, up to four per row, with a colour
/// bar (0-1).  Throws InvalidArgument for panels whose sizes do not match.
LVSI_EVALUATION_EXPORT void PlotHeatmapPanels(const std::vector<HeatmapPanel>& panels, const std::string& title,
                                              const std::string& path);

/// A label map over its grey-scale image (one slice, row-major, `width` x
/// `height`), e.g. habitats found in voxel-based feature maps.
struct LabelOverlay {
  int width = 0, height = 0;
  std::vector<double> image;       ///< Intensities, shown min-max scaled in grey.
  std::vector<int> labels;         ///< 0: not drawn; k >= 1: ModelColour(k - 1) at opacity 0.55.
  std::vector<std::string> names;  ///< Legend text of label k at names[k - 1].
};
/// The overlay, scaled to fit, with a legend of the labels.  Throws
/// InvalidArgument for sizes that do not match or labels without a name,
/// IoError/FormatError for the file.
LVSI_EVALUATION_EXPORT void PlotLabelOverlay(const LabelOverlay& overlay, const std::string& title,
                                             const std::string& path);

}  // namespace lvsi::evaluation
