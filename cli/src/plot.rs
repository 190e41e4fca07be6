//! `--plot`: loudness over time before and after mastering, as a PNG
//! (`plotters`, bitmap backend).
//!
//! Text needs a font. Rather than depend on the system's font machinery
//! (fontconfig + freetype), the first font found among a few Debian paths
//! is loaded with `ab_glyph` (`fonts-dejavu-core` provides the first). With
//! none installed the plot is still drawn, without captions, labels or
//! legend, and the caller is told so.

use std::path::Path;
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::atomic::AtomicFile;
use crate::measure::{LoudnessSeries, SeriesPoint};

/// Width of the image, pixels.
pub const PLOT_WIDTH_PX: u32 = 1200;
/// Height of the image, pixels.
pub const PLOT_HEIGHT_PX: u32 = 600;

/// Fonts tried in order (Debian packages: fonts-dejavu-core,
/// fonts-liberation, fonts-noto-core).
const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
];
/// The family name the font is registered under and drawn with.
const FONT_FAMILY: &str = "sans-serif";
/// Caption size, pixels.
const CAPTION_SIZE_PX: u32 = 22;
/// Axis and legend text size, pixels.
const LABEL_SIZE_PX: u32 = 14;
/// Axis label area sizes, pixels.
const X_LABEL_AREA_PX: u32 = 40;
const Y_LABEL_AREA_PX: u32 = 60;
/// Margin around the chart, pixels.
const MARGIN_PX: u32 = 12;
/// Width of the legend column right of the chart, pixels: the legend sits
/// outside the data, so it never hides the end of the programme.
const LEGEND_WIDTH_PX: u32 = 180;
/// Vertical distance between legend entries, pixels.
const LEGEND_ROW_PX: i32 = 22;
/// Length of a legend entry's line sample, pixels.
const LEGEND_SAMPLE_PX: i32 = 24;
/// Space between a legend line sample and its text, pixels.
const LEGEND_GAP_PX: i32 = 8;
/// Below this span, time labels show tenths of a second, s.
const TENTHS_BELOW_S: f64 = 10.0;
/// Seconds per minute.
const SECONDS_PER_MINUTE: f64 = 60.0;
/// Lowest loudness drawn, LUFS (quieter steps are clipped to it).
const FLOOR_LUFS: f64 = -70.0;
/// Room above and below the drawn values, LU.
const HEADROOM_LU: f64 = 3.0;
/// Width of the short-term lines, pixels.
const SHORT_TERM_STROKE_PX: u32 = 2;

const BEFORE_COLOUR: RGBColor = RGBColor(40, 90, 200);
const AFTER_COLOUR: RGBColor = RGBColor(210, 60, 40);
const TARGET_COLOUR: RGBColor = RGBColor(30, 150, 60);
const LIGHT_GRID_COLOUR: RGBColor = RGBColor(240, 240, 240);
/// Opacity of the momentary lines, drawn under the short-term ones.
const MOMENTARY_OPACITY: f64 = 0.3;

/// What to draw.
pub struct PlotData<'a> {
    /// Caption (the input's name).
    pub title: &'a str,
    /// Loudness of the input.
    pub before: &'a LoudnessSeries,
    /// Loudness of the output.
    pub after: &'a LoudnessSeries,
    /// The integrated-loudness target, LUFS.
    pub target_lufs: f64,
    /// Length of the audio, seconds.
    pub duration_s: f64,
}

/// Loads a font once per process; `true` when one could be registered.
fn font_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        FONT_CANDIDATES.iter().any(|path| {
            let Ok(bytes) = std::fs::read(path) else {
                return false;
            };
            // plotters keeps fonts for the life of the process; this is
            // loaded once.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            register_font(FONT_FAMILY, FontStyle::Normal, bytes).is_ok()
        })
    })
}

/// Draws the plot into a new PNG that atomically becomes `destination` when
/// the returned file is committed. `Ok(false)` when it had to be drawn
/// without text (no font).
///
/// # Errors
/// When the file cannot be created or drawing fails.
pub fn render(destination: &Path, data: &PlotData) -> Result<(AtomicFile, bool), String> {
    let with_text = font_available();
    let file = AtomicFile::create(destination)
        .map_err(|err| format!("cannot write {destination:?}: {err}"))?;
    draw(file.temp_path(), data, with_text)?;
    Ok((file, with_text))
}

/// A time-axis label, `m:ss` (minutes keep counting past the hour:
/// 3600 s is `60:00`), or `m:ss.s` with `tenths`. Negative times (never
/// drawn) show as `0:00`.
pub fn clock_label(seconds: f64, tenths: bool) -> String {
    let seconds = seconds.max(0.0);
    if tenths {
        let total_tenths = (seconds * 10.0).round();
        let minutes = (total_tenths / (SECONDS_PER_MINUTE * 10.0)).floor();
        let rest = (total_tenths - minutes * SECONDS_PER_MINUTE * 10.0) / 10.0;
        format!("{minutes:.0}:{rest:04.1}")
    } else {
        let total = seconds.round();
        let minutes = (total / SECONDS_PER_MINUTE).floor();
        let rest = total - minutes * SECONDS_PER_MINUTE;
        format!("{minutes:.0}:{rest:02.0}")
    }
}

/// Runs of consecutive defined points, as `(t, lufs)` clipped to the floor.
fn runs(points: &[SeriesPoint]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for point in points {
        match point.lufs.filter(|v| v.is_finite()) {
            Some(lufs) => runs
                .last_mut()
                .expect("never empty")
                .push((point.t_end_s, lufs.max(FLOOR_LUFS))),
            None if runs.last().is_some_and(|run| !run.is_empty()) => runs.push(Vec::new()),
            None => {}
        }
    }
    runs.retain(|run| !run.is_empty());
    runs
}

/// The loudness range to show, LUFS.
fn y_range(data: &PlotData) -> (f64, f64) {
    let values = [data.before, data.after]
        .into_iter()
        .flat_map(|series| series.momentary.iter().chain(&series.short_term))
        .filter_map(|point| point.lufs.filter(|v| v.is_finite()));
    let (low, high) = values.fold((data.target_lufs, data.target_lufs), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    (
        (low.max(FLOOR_LUFS) - HEADROOM_LU).floor(),
        (high + HEADROOM_LU).ceil(),
    )
}

/// Draws the legend entries (a line sample and its label, top down) in
/// `area`, the column right of the chart.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(&str, ShapeStyle)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let top = (MARGIN_PX + CAPTION_SIZE_PX) as i32 + LEGEND_ROW_PX;
    let left = MARGIN_PX as i32;
    for (row, (label, style)) in entries.iter().enumerate() {
        let y = top + row as i32 * LEGEND_ROW_PX;
        area.draw(&PathElement::new(
            [(left, y), (left + LEGEND_SAMPLE_PX, y)],
            *style,
        ))?;
        area.draw(&Text::new(
            *label,
            (
                left + LEGEND_SAMPLE_PX + LEGEND_GAP_PX,
                y - LABEL_SIZE_PX as i32 / 2,
            ),
            (FONT_FAMILY, LABEL_SIZE_PX),
        ))?;
    }
    Ok(())
}

/// Draws to `path` (a `.png`), with or without text.
fn draw(path: &Path, data: &PlotData, with_text: bool) -> Result<(), String> {
    let error = |err: &dyn std::fmt::Display| format!("cannot draw the plot: {err}");
    let root = BitMapBackend::new(path, (PLOT_WIDTH_PX, PLOT_HEIGHT_PX)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| error(&e))?;
    // The legend gets its own column, outside the data area.
    let (chart_area, legend_area) = if with_text {
        root.split_horizontally(PLOT_WIDTH_PX - LEGEND_WIDTH_PX)
    } else {
        root.split_horizontally(PLOT_WIDTH_PX)
    };

    let (y_low, y_high) = y_range(data);
    let x_high = data.duration_s.max(f64::EPSILON);
    let mut builder = ChartBuilder::on(&chart_area);
    builder.margin(MARGIN_PX);
    if with_text {
        let title = format!("{} — loudness before and after", data.title);
        builder
            .caption(title, (FONT_FAMILY, CAPTION_SIZE_PX))
            .x_label_area_size(X_LABEL_AREA_PX)
            .y_label_area_size(Y_LABEL_AREA_PX);
    }
    let mut chart = builder
        .build_cartesian_2d(0.0..x_high, y_low..y_high)
        .map_err(|e| error(&e))?;
    if with_text {
        chart
            .configure_mesh()
            .x_desc("time (m:ss)")
            .x_label_formatter(&|t| clock_label(*t, x_high < TENTHS_BELOW_S))
            .y_desc("loudness (LUFS)")
            .label_style((FONT_FAMILY, LABEL_SIZE_PX))
            .light_line_style(LIGHT_GRID_COLOUR)
            .draw()
            .map_err(|e| error(&e))?;
    }

    let mut legend = Vec::new();
    let lines = [
        (
            &data.before.momentary,
            BEFORE_COLOUR,
            false,
            "before, momentary",
        ),
        (
            &data.after.momentary,
            AFTER_COLOUR,
            false,
            "after, momentary",
        ),
        (
            &data.before.short_term,
            BEFORE_COLOUR,
            true,
            "before, short-term",
        ),
        (
            &data.after.short_term,
            AFTER_COLOUR,
            true,
            "after, short-term",
        ),
    ];
    for (points, colour, short_term, label) in lines {
        let style = if short_term {
            colour.stroke_width(SHORT_TERM_STROKE_PX)
        } else {
            colour.mix(MOMENTARY_OPACITY).stroke_width(1)
        };
        for run in runs(points) {
            chart
                .draw_series(LineSeries::new(run, style))
                .map_err(|e| error(&e))?;
        }
        legend.push((label, style));
    }
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, data.target_lufs), (x_high, data.target_lufs)],
            8,
            6,
            TARGET_COLOUR.stroke_width(1),
        ))
        .map_err(|e| error(&e))?;
    legend.push(("target", TARGET_COLOUR.stroke_width(1)));
    if with_text {
        draw_legend(&legend_area, &legend).map_err(|e| error(&e))?;
    }
    root.present().map_err(|e| error(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(levels: &[Option<f64>]) -> Vec<SeriesPoint> {
        levels
            .iter()
            .enumerate()
            .map(|(i, &lufs)| SeriesPoint {
                t_end_s: 0.1 * (i + 1) as f64,
                lufs,
            })
            .collect()
    }

    #[test]
    fn undefined_steps_split_the_lines() {
        let points = series(&[None, Some(-20.0), Some(-90.0), None, None, Some(-10.0)]);
        let runs = runs(&points);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].len(), 2);
        assert_eq!(runs[0][1].1, FLOOR_LUFS);
        assert_eq!(runs[1], [(0.6000000000000001, -10.0)]);
    }

    #[test]
    fn draws_with_and_without_text() {
        let dir = tempfile::tempdir().unwrap();
        let before = LoudnessSeries {
            momentary: series(&[Some(-30.0), Some(-25.0), None, Some(-28.0)]),
            short_term: series(&[Some(-27.0)]),
        };
        let after = LoudnessSeries {
            momentary: series(&[Some(-16.0), Some(-12.0), None, Some(-14.0)]),
            short_term: series(&[Some(-14.0)]),
        };
        let data = PlotData {
            title: "test",
            before: &before,
            after: &after,
            target_lufs: -14.0,
            duration_s: 0.4,
        };
        for with_text in [false, font_available()] {
            let path = dir.path().join(format!("plot-{with_text}.png"));
            draw(&path, &data, with_text).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(&bytes[1..4], b"PNG");
        }
    }

    #[test]
    fn time_labels_are_minutes_and_seconds() {
        assert_eq!(clock_label(0.0, false), "0:00");
        assert_eq!(clock_label(75.0, false), "1:15");
        assert_eq!(clock_label(3_600.0, false), "60:00");
        assert_eq!(clock_label(59.6, false), "1:00");
        assert_eq!(clock_label(-0.0, false), "0:00");
        assert_eq!(clock_label(1.25, true), "0:01.3");
        assert_eq!(clock_label(61.0, true), "1:01.0");
    }

    /// A point's colour in an RGB image `width` pixels wide.
    fn pixel(pixels: &[u8], width: u32, x: u32, y: u32) -> RGBColor {
        let at = ((y * width + x) * 3) as usize;
        RGBColor(pixels[at], pixels[at + 1], pixels[at + 2])
    }

    #[test]
    fn a_two_minute_plot_keeps_its_legend_off_the_data() {
        let duration_s = 120.0;
        // Loudness steps every 100 ms; "after" sits near the target to the
        // very end, where the old legend (lower right, inside) covered it.
        let steps = (duration_s / 0.1) as usize;
        let before: Vec<Option<f64>> = (0..steps)
            .map(|i| Some(-30.0 + (i % 50) as f64 * 0.1))
            .collect();
        let after: Vec<Option<f64>> = (0..steps)
            .map(|i| Some(-15.0 + (i % 30) as f64 * 0.05))
            .collect();
        let before = LoudnessSeries {
            momentary: series(&before),
            short_term: series(&before),
        };
        let after = LoudnessSeries {
            momentary: series(&after),
            short_term: series(&after),
        };
        let data = PlotData {
            title: "two minutes",
            before: &before,
            after: &after,
            target_lufs: -14.0,
            duration_s,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plot.png");
        let (file, with_text) = render(&path, &data).unwrap();
        file.commit(false).unwrap();
        let decoder = png::Decoder::new(std::fs::File::open(&path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((frame.width, frame.height), (PLOT_WIDTH_PX, PLOT_HEIGHT_PX));
        assert_eq!(frame.color_type, png::ColorType::Rgb);
        if !with_text {
            return;
        }
        let chart_right = PLOT_WIDTH_PX - LEGEND_WIDTH_PX;
        let columns_with = |colour: RGBColor, xs: std::ops::Range<u32>| {
            xs.filter(|&x| (0..PLOT_HEIGHT_PX).any(|y| pixel(&pixels, frame.width, x, y) == colour))
                .count()
        };
        // The last 5 % of the data area still shows the "after" line in
        // every column (nothing drawn over it)…
        let tail = chart_right - chart_right / 20..chart_right - MARGIN_PX;
        let tail_len = tail.len();
        assert!(columns_with(AFTER_COLOUR, tail) >= tail_len * 9 / 10);
        // …and the legend's line samples are in the column beside it.
        let legend = chart_right..PLOT_WIDTH_PX;
        assert!(columns_with(AFTER_COLOUR, legend.clone()) >= LEGEND_SAMPLE_PX as usize / 2);
        assert!(columns_with(TARGET_COLOUR, legend) >= LEGEND_SAMPLE_PX as usize / 2);
    }
}
