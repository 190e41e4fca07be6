//! The measurement as a PNG report: the picture a delivery note carries
//! (Youlean's "export as image"). Top: the summary readings and, per
//! target, the loudness verdict, the true-peak verdict and the peak-safe
//! fix, in the editor's words and colours. Below: the loudness history,
//! short-term over momentary, on a LUFS axis against time (`mm:ss` since
//! the measurement started), with the integrated loudness as a line.
//!
//! Drawn with `plotters` into memory and encoded with `png`; the text uses
//! the font egui ships (`epaint_default_fonts`), so no system font is
//! needed. GUI thread only (allocates); [`crate::report::write_atomically`]
//! writes the bytes.

use crate::report::{mm_ss, Measurement};
use crate::verdicts::{self, Tone};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use shared_dsp::units::loudness::targets::LoudnessTarget;
use shared_ui::theme;
use std::ops::Range;
use std::sync::OnceLock;

/// Image size, pixels.
pub const WIDTH_PX: u32 = 1200;
pub const HEIGHT_PX: u32 = 820;
/// Height of the text part above the history chart, pixels.
const HEADER_HEIGHT_PX: u32 = 330;
/// Margin around everything, pixels.
const MARGIN_PX: i32 = 24;
/// Offset of the summary values from their names, pixels.
const SUMMARY_VALUE_PX: i32 = 160;
/// Left edge of the target table, pixels.
const TABLE_LEFT_PX: i32 = 380;
/// Column offsets of the target table from its left edge, pixels: name,
/// reference, loudness verdict, true-peak verdict, fix.
const TABLE_COLUMNS_PX: [i32; 5] = [0, 130, 250, 400, 560];
/// Text sizes, pixels.
const TITLE_PX: u32 = 26;
const TEXT_PX: u32 = 17;
const SMALL_PX: u32 = 14;
/// Line pitch of the summary and the table, pixels.
const ROW_PX: i32 = 24;
const TABLE_ROW_PX: i32 = 21;
/// Axis label areas of the chart, pixels.
const X_LABEL_AREA_PX: u32 = 36;
const Y_LABEL_AREA_PX: u32 = 56;
/// Loudness range of the chart, LUFS (the editor's history range).
pub const CHART_RANGE_LUFS: Range<f64> = -48.0..0.0;
/// Stroke of the short-term curve, pixels.
const SHORT_TERM_STROKE_PX: u32 = 2;
/// Shortest time span the chart shows, seconds (a few seconds measured
/// still get a readable axis).
const MIN_SPAN_S: f64 = 10.0;

/// Width of the legend, and of one entry, pixels.
const LEGEND_WIDTH_PX: i32 = 3 * LEGEND_ENTRY_PX;
const LEGEND_ENTRY_PX: i32 = 110;

/// Family the embedded font is registered under (plotters keeps one font
/// table per process).
const FONT_FAMILY: &str = "lathe-report";

/// Colours of the picture: the editor's.
pub const BACKGROUND: RGBColor = rgb(theme::BACKGROUND);
pub const SHORT_TERM_COLOUR: RGBColor = rgb(theme::ACCENT_2);
pub const MOMENTARY_COLOUR: RGBColor = rgb(theme::ACCENT);
const TEXT_COLOUR: RGBColor = rgb(theme::TEXT);
const DIM_COLOUR: RGBColor = rgb(theme::TEXT_DIM);
const GRID_COLOUR: RGBColor = rgb(theme::GRID);
const INTEGRATED_COLOUR: RGBColor = rgb(theme::GOOD);

const fn rgb(c: shared_ui::egui::Color32) -> RGBColor {
    RGBColor(c.r(), c.g(), c.b())
}

fn tone_colour(tone: Tone) -> RGBColor {
    match tone {
        Tone::Good => rgb(theme::GOOD),
        Tone::Warn => rgb(theme::WARN),
        Tone::Bad => rgb(theme::OVER),
    }
}

/// Registers the embedded font once; `false` if plotters refused it.
fn font_registered() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| {
        register_font(
            FONT_FAMILY,
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        )
        .is_ok()
    })
}

/// Where the history chart's data area is in the image, and what it spans:
/// pixel columns `x_px` map `seconds` linearly, pixel rows `y_px` map
/// `lufs` linearly (top row = top of the range).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFrame {
    pub x_px: Range<i32>,
    pub y_px: Range<i32>,
    pub seconds: Range<f64>,
    pub lufs: Range<f64>,
}

/// The report as PNG bytes (RGB, [`WIDTH_PX`] × [`HEIGHT_PX`]) and where
/// its chart landed, `targets` judged against the integrated loudness and
/// maximum true peak.
///
/// # Errors
/// When drawing or encoding fails (a message for the editor).
pub fn render(
    m: &Measurement,
    targets: &[LoudnessTarget],
) -> Result<(Vec<u8>, ChartFrame), String> {
    let mut pixels = vec![0u8; WIDTH_PX as usize * HEIGHT_PX as usize * 3];
    let frame = draw(&mut pixels, m, targets).map_err(|e| format!("drawing failed: {e}"))?;
    let mut bytes = Vec::new();
    {
        let mut encoder = ::png::Encoder::new(&mut bytes, WIDTH_PX, HEIGHT_PX);
        encoder.set_color(::png::ColorType::Rgb);
        encoder.set_depth(::png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| format!("PNG encoding failed: {e}"))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| format!("PNG encoding failed: {e}"))?;
    }
    Ok((bytes, frame))
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;
type DrawResult<T> =
    Result<T, DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>>;

fn text(area: &Area, s: &str, (x, y): (i32, i32), size: u32, colour: RGBColor) -> DrawResult<()> {
    area.draw(&Text::new(
        s.to_owned(),
        (x, y),
        (FONT_FAMILY, size).into_font().color(&colour),
    ))
}

fn draw(pixels: &mut [u8], m: &Measurement, targets: &[LoudnessTarget]) -> DrawResult<ChartFrame> {
    let with_text = font_registered();
    let root = BitMapBackend::with_buffer(pixels, (WIDTH_PX, HEIGHT_PX)).into_drawing_area();
    root.fill(&BACKGROUND)?;
    let (header, chart_area) = root.split_vertically(HEADER_HEIGHT_PX);
    if with_text {
        draw_header(&header, m, targets)?;
    }
    let frame = draw_chart(&chart_area, m, with_text)?;
    root.present()?;
    Ok(frame)
}

/// `value` with one decimal and its unit, or "—".
fn reading(value: Option<f32>, unit: &str) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("{} {unit}", verdicts::signed(f64::from(v))),
        None => "—".to_owned(),
    }
}

fn draw_header(area: &Area, m: &Measurement, targets: &[LoudnessTarget]) -> DrawResult<()> {
    let (x, mut y) = (MARGIN_PX, MARGIN_PX);
    text(
        area,
        "Lathe Loudness Meter — report",
        (x, y),
        TITLE_PX,
        TEXT_COLOUR,
    )?;
    y += TITLE_PX as i32 + ROW_PX / 2;
    let summary = [
        ("Integrated", reading(m.integrated_lufs, "LUFS")),
        (
            "Loudness range",
            m.loudness_range_lu
                .filter(|v| v.is_finite())
                .map_or("—".to_owned(), |v| format!("{v:.1} LU")),
        ),
        ("Max momentary", reading(m.max_momentary_lufs, "LUFS")),
        ("Max short-term", reading(m.max_short_term_lufs, "LUFS")),
        ("Max true peak", reading(m.max_true_peak_dbtp, "dBTP")),
        ("Measured", mm_ss(m.measured_s)),
    ];
    let table_top = y;
    for (name, value) in summary {
        text(area, name, (x, y), TEXT_PX, DIM_COLOUR)?;
        text(
            area,
            &value,
            (x + SUMMARY_VALUE_PX, y),
            TEXT_PX,
            TEXT_COLOUR,
        )?;
        y += ROW_PX;
    }

    // The targets: one row each, the verdicts apart, then the fix.
    let mut y = table_top;
    let columns = TABLE_COLUMNS_PX.map(|c| TABLE_LEFT_PX + c);
    for (column, head) in
        columns
            .iter()
            .zip(["Target", "Reference", "Loudness", "True peak", "Fix"])
    {
        text(area, head, (*column, y), SMALL_PX, DIM_COLOUR)?;
    }
    y += TABLE_ROW_PX;
    for t in targets {
        text(area, t.name, (columns[0], y), SMALL_PX, TEXT_COLOUR)?;
        let reference = format!(
            "{} / {}",
            verdicts::signed(t.integrated_lufs),
            verdicts::signed(t.max_true_peak_dbtp)
        );
        text(area, &reference, (columns[1], y), SMALL_PX, DIM_COLOUR)?;
        if let (Some(i), Some(tp)) = (m.integrated_lufs, m.max_true_peak_dbtp) {
            let a = t.assess(f64::from(i), f64::from(tp));
            let (loudness, tone) = verdicts::loudness(&a);
            text(
                area,
                &loudness,
                (columns[2], y),
                SMALL_PX,
                tone_colour(tone),
            )?;
            let (peak, tone) = verdicts::peak_short(&a);
            text(area, &peak, (columns[3], y), SMALL_PX, tone_colour(tone))?;
            let (fix, tone) = verdicts::fix(a.fix);
            text(area, &fix, (columns[4], y), SMALL_PX, tone_colour(tone))?;
        } else {
            text(area, "measuring…", (columns[2], y), SMALL_PX, DIM_COLOUR)?;
        }
        y += TABLE_ROW_PX;
    }
    Ok(())
}

fn draw_chart(area: &Area, m: &Measurement, with_text: bool) -> DrawResult<ChartFrame> {
    let steps: Vec<_> = m.timed_history().collect();
    let first_s = steps.first().map_or(0.0, |(t, _)| *t);
    let last_s = steps
        .last()
        .map_or(0.0, |(t, _)| *t)
        .max(first_s + MIN_SPAN_S);
    let (x_label_px, y_label_px) = if with_text {
        (X_LABEL_AREA_PX, Y_LABEL_AREA_PX)
    } else {
        (0, 0)
    };
    let mut chart = ChartBuilder::on(area)
        .margin(MARGIN_PX as u32)
        .x_label_area_size(x_label_px)
        .y_label_area_size(y_label_px)
        .build_cartesian_2d(first_s..last_s, CHART_RANGE_LUFS)?;
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(GRID_COLOUR.mix(0.4))
        .bold_line_style(GRID_COLOUR)
        .axis_style(DIM_COLOUR)
        .x_labels(10)
        .y_labels(9)
        .x_label_formatter(&|s| mm_ss(*s))
        .y_label_formatter(&|v| format!("{v:.0}"));
    if with_text {
        mesh.x_desc("time (mm:ss)")
            .y_desc("LUFS")
            .label_style((FONT_FAMILY, SMALL_PX).into_font().color(&DIM_COLOUR));
    } else {
        mesh.disable_x_axis().disable_y_axis();
    }
    mesh.draw()?;

    let clamp = |v: f32| f64::from(v).clamp(CHART_RANGE_LUFS.start, CHART_RANGE_LUFS.end);
    // Runs of defined readings: a gap where a reading is not yet available.
    let runs = |pick: fn(&crate::report::HistoryStep) -> Option<f32>| {
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (t, step) in &steps {
            match pick(step).filter(|v| v.is_finite()) {
                Some(v) => runs.last_mut().expect("never empty").push((*t, clamp(v))),
                None if runs.last().is_some_and(|r| !r.is_empty()) => runs.push(Vec::new()),
                None => {}
            }
        }
        runs
    };
    for run in runs(|s| s.momentary_lufs) {
        chart.draw_series(LineSeries::new(run, MOMENTARY_COLOUR))?;
    }
    for run in runs(|s| s.short_term_lufs) {
        chart.draw_series(LineSeries::new(
            run,
            SHORT_TERM_COLOUR.stroke_width(SHORT_TERM_STROKE_PX),
        ))?;
    }
    if let Some(i) = m.integrated_lufs.filter(|v| v.is_finite()) {
        let level = clamp(i);
        chart.draw_series(DashedLineSeries::new(
            [(first_s, level), (last_s, level)],
            8,
            6,
            INTEGRATED_COLOUR.into(),
        ))?;
    }
    if with_text {
        let legend = [
            ("short-term", SHORT_TERM_COLOUR),
            ("momentary", MOMENTARY_COLOUR),
            ("integrated", INTEGRATED_COLOUR),
        ];
        // In the chart's top margin, right-aligned: outside the data.
        let legend_y = MARGIN_PX / 2 - SMALL_PX as i32 / 2;
        let mut x = WIDTH_PX as i32 - MARGIN_PX - LEGEND_WIDTH_PX;
        for (name, colour) in legend {
            area.draw(&PathElement::new(
                [
                    (x, legend_y + SMALL_PX as i32 / 2),
                    (x + 20, legend_y + SMALL_PX as i32 / 2),
                ],
                colour.stroke_width(2),
            ))?;
            text(area, name, (x + 26, legend_y), SMALL_PX, DIM_COLOUR)?;
            x += LEGEND_ENTRY_PX;
        }
    }

    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    Ok(ChartFrame {
        x_px,
        y_px,
        seconds: first_s..last_s,
        lufs: CHART_RANGE_LUFS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::HistoryStep;
    use shared_dsp::units::loudness::targets::TARGETS;

    /// Decodes a PNG to (width, height, RGB bytes).
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, ::png::ColorType::Rgb);
        assert_eq!(info.bit_depth, ::png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    fn pixel(rgb: &[u8], (x, y): (i32, i32)) -> RGBColor {
        let i = (y as usize * WIDTH_PX as usize + x as usize) * 3;
        RGBColor(rgb[i], rgb[i + 1], rgb[i + 2])
    }

    /// 60 s measured: short-term at −14 LUFS for the first half, −30 for
    /// the second; momentary not available (so only one curve is drawn).
    fn two_levels() -> Measurement {
        let per_s = 10;
        Measurement {
            integrated_lufs: Some(-18.0),
            max_true_peak_dbtp: Some(-1.5),
            measured_s: 60.0,
            history: (0..=60 * per_s)
                .map(|i| HistoryStep {
                    momentary_lufs: None,
                    short_term_lufs: Some(if i < 30 * per_s { -14.0 } else { -30.0 }),
                })
                .collect(),
            steps_per_second: per_s,
            ..Measurement::default()
        }
    }

    #[test]
    fn the_history_is_drawn_at_its_loudness_and_time() {
        let (bytes, frame) = render(&two_levels(), TARGETS).unwrap();
        let (w, h, rgb) = decode(&bytes);
        assert_eq!((w, h), (WIDTH_PX, HEIGHT_PX));
        assert_eq!(frame.seconds, 0.0..60.0);
        assert!(frame.y_px.start >= HEADER_HEIGHT_PX as i32, "{frame:?}");
        assert!(frame.x_px.end <= WIDTH_PX as i32 && frame.y_px.end <= HEIGHT_PX as i32);
        // Independent of the drawing: where a reading belongs in the frame.
        let column = |t: f64| {
            let (x0, x1) = (frame.x_px.start as f64, frame.x_px.end as f64);
            (x0 + (t - frame.seconds.start) / (frame.seconds.end - frame.seconds.start) * (x1 - x0))
                .round() as i32
        };
        let row = |lufs: f64| {
            let (y0, y1) = (frame.y_px.start as f64, frame.y_px.end as f64);
            (y0 + (frame.lufs.end - lufs) / (frame.lufs.end - frame.lufs.start) * (y1 - y0)).round()
                as i32
        };
        let curve_rows = |t: f64| -> Vec<i32> {
            frame
                .y_px
                .clone()
                .filter(|&y| pixel(&rgb, (column(t), y)) == SHORT_TERM_COLOUR)
                .collect()
        };
        for (t, lufs) in [(5.0, -14.0), (20.0, -14.0), (40.0, -30.0), (55.0, -30.0)] {
            let rows = curve_rows(t);
            assert!(!rows.is_empty(), "no curve at {t} s");
            for y in &rows {
                assert!(
                    (y - row(lufs)).abs() <= 2,
                    "{t} s: curve at row {y}, {lufs} LUFS is row {}",
                    row(lufs)
                );
            }
        }
        // The step from −14 to −30 at 30 s is a near-vertical stroke there.
        let crosses_minus_20 = (column(29.8)..=column(30.2)).any(|x| {
            (row(-20.0) - 2..=row(-20.0) + 2).any(|y| pixel(&rgb, (x, y)) == SHORT_TERM_COLOUR)
        });
        assert!(crosses_minus_20, "the step is drawn");
        // The curve stays inside the data area; none of it in the header.
        let header_has_curve = (0..HEADER_HEIGHT_PX as i32)
            .flat_map(|y| (0..WIDTH_PX as i32).map(move |x| (x, y)))
            .any(|p| pixel(&rgb, p) == SHORT_TERM_COLOUR);
        assert!(!header_has_curve);
        assert_eq!(pixel(&rgb, (1, 1)), BACKGROUND);
    }

    /// Pixels of the header that read as the editor's "over" red.
    fn red_header_pixels(m: &Measurement, targets: &[LoudnessTarget]) -> usize {
        let (_, _, rgb) = decode(&render(m, targets).unwrap().0);
        (0..HEADER_HEIGHT_PX as i32)
            .flat_map(|y| (0..WIDTH_PX as i32).map(move |x| (x, y)))
            .filter(|&p| {
                let RGBColor(r, g, b) = pixel(&rgb, p);
                r > 150 && g < 120 && b < 120
            })
            .count()
    }

    #[test]
    fn the_verdicts_are_written_in_their_colours() {
        let ebu = [TARGETS[0]];
        assert_eq!(ebu[0].name, "EBU R128");
        let on_target = Measurement {
            integrated_lufs: Some(-23.0),
            max_true_peak_dbtp: Some(-3.0),
            ..two_levels()
        };
        let too_loud = Measurement {
            integrated_lufs: Some(-9.0),
            max_true_peak_dbtp: Some(0.4),
            ..two_levels()
        };
        assert_eq!(red_header_pixels(&on_target, &ebu), 0, "nothing over");
        assert!(
            red_header_pixels(&too_loud, &ebu) > 50,
            "too loud and over in red"
        );
    }

    #[test]
    fn an_empty_measurement_still_makes_a_picture() {
        let (bytes, frame) = render(&Measurement::default(), &[]).unwrap();
        let (w, h, rgb) = decode(&bytes);
        assert_eq!((w, h), (WIDTH_PX, HEIGHT_PX));
        assert_eq!(frame.seconds, 0.0..MIN_SPAN_S);
        // No curve in the data area (the legend's sample is outside it).
        let curve = frame
            .y_px
            .clone()
            .flat_map(|y| frame.x_px.clone().map(move |x| (x, y)))
            .any(|p| pixel(&rgb, p) == SHORT_TERM_COLOUR);
        assert!(!curve);
    }
}
