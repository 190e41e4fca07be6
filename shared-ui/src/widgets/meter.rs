//! Vertical level and gain-reduction meters with a labelled dB scale, a
//! peak-hold line and (for levels) a clip indicator. Click a meter to clear
//! its hold and clip.

use super::scale;
use crate::theme;
use egui::{pos2, vec2, Align2, Color32, Id, Rect, Response, Sense, Stroke, Ui};

/// How long a peak is held before it starts to fall, s.
pub const PEAK_HOLD_S: f32 = 1.5;
/// How fast a held peak falls once the hold is over, dB/s.
pub const PEAK_DECAY_DB_PER_S: f32 = 20.0;
/// A held peak that falls below this is dropped, dB.
const PEAK_FLOOR_DB: f32 = -150.0;
/// Width of the scale's label column, logical px.
pub const SCALE_LABEL_WIDTH: f32 = 26.0;
/// Height of the clip indicator above a level meter, logical px.
const CLIP_BOX_HEIGHT: f32 = 8.0;
/// Height of the held-value text under a meter, logical px.
const READOUT_HEIGHT: f32 = 14.0;
/// Least distance between labelled ticks, logical px.
const TICK_MIN_SPACING_PX: f32 = 16.0;

/// A peak that holds for [`PEAK_HOLD_S`], then falls at
/// [`PEAK_DECAY_DB_PER_S`] until a new reading exceeds it. Works on any
/// quantity where larger means "more" (a level in dB, a gain reduction in dB).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PeakHold {
    held_db: Option<f32>,
    /// Time since the held value was set, s.
    age_s: f32,
}

impl PeakHold {
    /// Feeds the reading now (`None`: nothing measured) after `dt_s`
    /// seconds, and returns the held value.
    pub fn update(&mut self, reading_db: Option<f32>, dt_s: f32) -> Option<f32> {
        let dt_s = dt_s.max(0.0);
        let decayed = self.held_db.map(|held| {
            let falling_before = (self.age_s - PEAK_HOLD_S).max(0.0);
            let falling_after = (self.age_s + dt_s - PEAK_HOLD_S).max(0.0);
            held - (falling_after - falling_before) * PEAK_DECAY_DB_PER_S
        });
        self.age_s += dt_s;
        match (decayed, reading_db) {
            (Some(d), Some(r)) if r >= d => self.set(r),
            (None, Some(r)) => self.set(r),
            (Some(d), _) if d < PEAK_FLOOR_DB => self.held_db = None,
            (d, _) => self.held_db = d,
        }
        self.held_db
    }

    fn set(&mut self, value_db: f32) {
        self.held_db = Some(value_db);
        self.age_s = 0.0;
    }

    /// The held value.
    pub fn held_db(&self) -> Option<f32> {
        self.held_db
    }

    /// Forgets the held value.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// A meter's range and labelling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterScale {
    /// Bottom of the meter, in `unit`.
    pub floor: f32,
    /// Top of the meter, in `unit`.
    pub top: f32,
    /// Readings above this light the clip indicator (`None`: no indicator).
    pub clip: Option<f32>,
    /// Unit shown under the scale, e.g. "dBFS".
    pub unit: &'static str,
    /// Subtracted from a value for its label and readout, in `unit`s of the
    /// reading: the 0 LU reference (LUFS) of a relative loudness scale; 0.0
    /// for an absolute scale.
    pub label_offset: f32,
}

/// EBU Tech 3341 loudness reference, LUFS.
pub const EBU_REFERENCE_LUFS: f32 = -23.0;

/// The two loudness scales of EBU Tech 3341 (EBU Mode, section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EbuRange {
    /// "EBU +9": −18.0 … +9.0 LU (−41 … −14 LUFS at the −23 LUFS reference).
    #[default]
    Plus9,
    /// "EBU +18": −36.0 … +18.0 LU (−59 … −5 LUFS at the −23 LUFS reference).
    Plus18,
}

impl EbuRange {
    /// Bottom and top of the scale relative to the reference, LU.
    pub const fn lu_range(self) -> (f32, f32) {
        match self {
            Self::Plus9 => (-18.0, 9.0),
            Self::Plus18 => (-36.0, 18.0),
        }
    }

    /// Short name, as Tech 3341 writes it: "EBU +9", "EBU +18".
    pub const fn name(self) -> &'static str {
        match self {
            Self::Plus9 => "EBU +9",
            Self::Plus18 => "EBU +18",
        }
    }
}

impl MeterScale {
    /// A sample-peak scale from `floor_db` to 0 dBFS, clipping above 0 dBFS.
    pub fn dbfs(floor_db: f32) -> Self {
        Self {
            floor: floor_db,
            top: 0.0,
            clip: Some(0.0),
            unit: "dBFS",
            label_offset: 0.0,
        }
    }

    /// An EBU Tech 3341 loudness scale for readings in LUFS: `range` around
    /// `reference_lufs` (0 LU; Tech 3341's is [`EBU_REFERENCE_LUFS`]),
    /// labelled in LU relative to it (`relative`) or in LUFS.
    pub fn ebu(range: EbuRange, reference_lufs: f32, relative: bool) -> Self {
        let (lo, hi) = range.lu_range();
        Self {
            floor: reference_lufs + lo,
            top: reference_lufs + hi,
            clip: None,
            unit: if relative { "LU" } else { "LUFS" },
            label_offset: if relative { reference_lufs } else { 0.0 },
        }
    }

    /// Whether labels are relative to a reference: a signed scale in "LU".
    pub fn is_relative(&self) -> bool {
        self.unit == "LU"
    }

    /// `value` (a reading) in the scale's labelled unit.
    pub fn labelled_value(&self, value: f32) -> f32 {
        value - self.label_offset
    }

    /// The label of the tick at `value` (a reading): "−23" on an absolute
    /// scale, "+9" / "0" / "−18" on a relative one.
    pub fn label(&self, value: f32) -> String {
        let v = self.labelled_value(value);
        // −0.0 and rounding noise read as 0.
        let v = if v.abs() < 0.05 { 0.0 } else { v };
        if self.is_relative() && v > 0.0 {
            format!("+{v:.0}")
        } else if v < 0.0 {
            format!("−{:.0}", -v)
        } else {
            format!("{v:.0}")
        }
    }

    /// EBU Tech 3341's "EBU +9" loudness scale around `target_lufs`
    /// (−18 … +9 LU), in LUFS.
    pub fn ebu_plus9(target_lufs: f32) -> Self {
        Self::ebu(EbuRange::Plus9, target_lufs, false)
    }

    /// EBU Tech 3341's "EBU +18" loudness scale around `target_lufs`
    /// (−36 … +18 LU), in LUFS.
    pub fn ebu_plus18(target_lufs: f32) -> Self {
        Self::ebu(EbuRange::Plus18, target_lufs, false)
    }

    /// Vertical position of `value` in `bar` (clamped to the bar).
    pub fn y_of(&self, value: f32, bar: Rect) -> f32 {
        scale::position(value, (self.floor, self.top), (bar.bottom(), bar.top()))
    }

    /// Labelled ticks for a bar `height_px` tall, bottom to top, as
    /// readings; round numbers in the labelled unit (whole LU on a relative
    /// scale, whatever its reference).
    pub fn ticks(&self, height_px: f32) -> Vec<f32> {
        let off = self.label_offset;
        scale::value_ticks(
            self.floor - off,
            self.top - off,
            height_px,
            TICK_MIN_SPACING_PX,
        )
        .into_iter()
        .map(|t| t + off)
        .collect()
    }
}

/// What a meter keeps between frames.
#[derive(Debug, Clone, Copy, Default)]
struct MeterState {
    hold: PeakHold,
    clipped: bool,
    last_time_s: Option<f64>,
}

/// Splits a meter's rect into (clip box, bar, readout) below the label column.
fn meter_parts(rect: Rect, with_clip: bool) -> (Rect, Rect, Rect) {
    let left = rect.left() + SCALE_LABEL_WIDTH;
    let clip_h = if with_clip {
        CLIP_BOX_HEIGHT + 2.0
    } else {
        0.0
    };
    let clip = Rect::from_min_max(
        pos2(left, rect.top()),
        pos2(rect.right(), rect.top() + CLIP_BOX_HEIGHT),
    );
    let bar = Rect::from_min_max(
        pos2(left, rect.top() + clip_h),
        pos2(rect.right(), rect.bottom() - READOUT_HEIGHT),
    );
    let readout = Rect::from_min_max(pos2(rect.left(), rect.bottom() - READOUT_HEIGHT), rect.max);
    (clip, bar, readout)
}

fn update_state(
    ui: &Ui,
    id: Id,
    reading: Option<f32>,
    clip: Option<f32>,
    reset: bool,
) -> MeterState {
    let now = ui.input(|i| i.time);
    let mut state = ui
        .memory(|m| m.data.get_temp::<MeterState>(id))
        .unwrap_or_default();
    if reset {
        state = MeterState::default();
    }
    let dt = state.last_time_s.map_or(0.0, |t| (now - t) as f32);
    state.last_time_s = Some(now);
    state.hold.update(reading, dt);
    if let (Some(r), Some(c)) = (reading, clip) {
        state.clipped |= r > c;
    }
    ui.memory_mut(|m| m.data.insert_temp(id, state));
    state
}

fn draw_scale(
    painter: &egui::Painter,
    scale: &MeterScale,
    bar: Rect,
    label_right: f32,
    signed: bool,
) {
    for tick in scale.ticks(bar.height()) {
        let y = scale.y_of(tick, bar);
        painter.line_segment(
            [pos2(bar.left(), y), pos2(bar.right(), y)],
            Stroke::new(1.0, theme::GRID),
        );
        let text = if signed && tick > 0.0 {
            format!("−{tick:.0}")
        } else {
            scale.label(tick)
        };
        painter.text(
            pos2(
                label_right - 3.0,
                y.clamp(bar.top() + 5.0, bar.bottom() - 5.0),
            ),
            Align2::RIGHT_CENTER,
            text,
            theme::label_font(9.0),
            theme::TEXT_DIM,
        );
    }
}

/// A vertical level meter of `size`: bar, held-peak line, clip indicator
/// (lit once a reading exceeds `scale.clip`), labelled scale on the left
/// and the held value below. `id_salt` keeps its hold apart from other meters.
pub fn level_meter(
    ui: &mut Ui,
    id_salt: &str,
    size: egui::Vec2,
    reading: Option<f32>,
    scale: MeterScale,
    color: Color32,
) -> Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let response = response.on_hover_text("Click to clear the peak hold and clip");
    let id = ui.scope_id().with(("level_meter", id_salt));
    let state = update_state(ui, id, reading, scale.clip, response.clicked());
    let (clip_rect, bar, readout) = meter_parts(rect, scale.clip.is_some());
    let painter = ui.painter_at(rect);
    painter.rect_filled(bar, 2.0, theme::PANEL);
    if let Some(r) = reading.filter(|r| *r > scale.floor) {
        let fill = Rect::from_min_max(pos2(bar.left(), scale.y_of(r, bar)), bar.max);
        painter.rect_filled(fill, 0.0, color);
    }
    draw_scale(&painter, &scale, bar, bar.left(), false);
    if let Some(h) = state.hold.held_db().filter(|h| *h > scale.floor) {
        let y = scale.y_of(h, bar);
        let over = scale.clip.is_some_and(|c| h > c);
        painter.line_segment(
            [pos2(bar.left(), y), pos2(bar.right(), y)],
            Stroke::new(2.0, if over { theme::OVER } else { theme::TEXT }),
        );
    }
    if scale.clip.is_some() {
        painter.rect_filled(
            clip_rect,
            2.0,
            if state.clipped {
                theme::OVER
            } else {
                theme::PANEL
            },
        );
    }
    painter.text(
        readout.center(),
        Align2::CENTER_CENTER,
        super::format_level(state.hold.held_db().map(|h| scale.labelled_value(h)), 1),
        theme::number_font(10.0),
        if state.clipped {
            theme::OVER
        } else {
            theme::TEXT
        },
    );
    response
}

/// A vertical gain-reduction meter of `size`: a bar growing down from 0 dB
/// at the top to `range_db`, the held maximum as a line, a labelled scale
/// (−3, −6, …) on the left and the held value below.
pub fn gain_reduction_meter(
    ui: &mut Ui,
    id_salt: &str,
    size: egui::Vec2,
    gain_reduction_db: Option<f32>,
    range_db: f32,
) -> Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let response = response.on_hover_text("Click to clear the hold");
    let id = ui.scope_id().with(("gr_meter", id_salt));
    let state = update_state(ui, id, gain_reduction_db, None, response.clicked());
    let (_, bar, readout) = meter_parts(rect, false);
    // Gain reduction grows downward: 0 at the top, `range_db` at the bottom.
    let y_of = |gr: f32| scale::position(gr, (0.0, range_db), (bar.top(), bar.bottom()));
    let painter = ui.painter_at(rect);
    painter.rect_filled(bar, 2.0, theme::PANEL);
    if let Some(gr) = gain_reduction_db.filter(|g| *g > 0.0) {
        painter.rect_filled(
            Rect::from_min_max(bar.min, pos2(bar.right(), y_of(gr))),
            0.0,
            theme::OVER,
        );
    }
    for tick in scale::value_ticks(0.0, range_db, bar.height(), TICK_MIN_SPACING_PX) {
        let y = y_of(tick);
        painter.line_segment(
            [pos2(bar.left(), y), pos2(bar.right(), y)],
            Stroke::new(1.0, theme::GRID),
        );
        painter.text(
            pos2(
                bar.left() - 3.0,
                y.clamp(bar.top() + 5.0, bar.bottom() - 5.0),
            ),
            Align2::RIGHT_CENTER,
            if tick > 0.0 {
                format!("−{tick:.0}")
            } else {
                "0".to_owned()
            },
            theme::label_font(9.0),
            theme::TEXT_DIM,
        );
    }
    if let Some(h) = state.hold.held_db().filter(|h| *h > 0.0) {
        let y = y_of(h);
        painter.line_segment(
            [pos2(bar.left(), y), pos2(bar.right(), y)],
            Stroke::new(2.0, theme::TEXT),
        );
    }
    painter.text(
        readout.center(),
        Align2::CENTER_CENTER,
        super::format_level(state.hold.held_db().map(|h| 0.0 - h.max(0.0)), 1),
        theme::number_font(10.0),
        theme::TEXT,
    );
    response
}

/// Size of a meter `bar_width` px wide and `height` px tall, with its scale column.
pub fn meter_size(bar_width: f32, height: f32) -> egui::Vec2 {
    vec2(SCALE_LABEL_WIDTH + bar_width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_holds_then_decays_at_the_stated_rate() {
        let mut hold = PeakHold::default();
        let dt = 0.01;
        assert_eq!(hold.update(Some(-6.0), dt), Some(-6.0));
        // Quieter readings for the hold time: the peak stays.
        let mut t = 0.0;
        while t + dt < PEAK_HOLD_S - 1e-4 {
            assert_eq!(hold.update(Some(-30.0), dt), Some(-6.0), "at {t} s");
            t += dt;
        }
        // Half a second into the fall it is 10 dB lower (20 dB/s).
        let mut held = None;
        let steps = ((PEAK_HOLD_S - t + 0.5) / dt).round() as usize;
        for _ in 0..steps {
            held = hold.update(Some(-30.0), dt);
        }
        let expected = -6.0 - 0.5 * PEAK_DECAY_DB_PER_S;
        assert!(
            (held.unwrap() - expected).abs() < 0.25,
            "{held:?} vs {expected}"
        );
        // It never falls below the current reading, and a louder one resets it.
        for _ in 0..200 {
            held = hold.update(Some(-30.0), dt);
        }
        assert_eq!(held, Some(-30.0));
        assert_eq!(hold.update(Some(-1.0), dt), Some(-1.0));
        assert_eq!(hold.update(None, 1.0), Some(-1.0), "still inside the hold");
    }

    #[test]
    fn a_peak_with_no_readings_falls_away() {
        let mut hold = PeakHold::default();
        hold.update(Some(0.0), 0.0);
        assert_eq!(hold.update(None, PEAK_HOLD_S + 100.0), None);
        hold.update(Some(-3.0), 0.0);
        hold.reset();
        assert_eq!(hold.held_db(), None);
    }

    #[test]
    fn meter_ticks_lie_inside_the_bar_and_rise_monotonically() {
        let rect = Rect::from_min_size(pos2(10.0, 20.0), meter_size(14.0, 260.0));
        let (_, bar, _) = meter_parts(rect, true);
        for scale in [
            MeterScale::dbfs(-60.0),
            MeterScale::ebu_plus9(-23.0),
            MeterScale::ebu_plus18(-14.0),
        ] {
            let ticks = scale.ticks(bar.height());
            assert!(ticks.len() >= 3, "{scale:?}: {ticks:?}");
            let ys: Vec<f32> = ticks.iter().map(|t| scale.y_of(*t, bar)).collect();
            assert!(
                ys.iter().all(|y| *y >= bar.top() && *y <= bar.bottom()),
                "{ys:?} in {bar:?}"
            );
            assert!(ys.windows(2).all(|w| w[1] < w[0]), "{ys:?}");
            assert!(bar.max.y <= rect.max.y && bar.min.y >= rect.min.y);
        }
        assert_eq!(MeterScale::ebu_plus9(-23.0).floor, -41.0);
        assert_eq!(MeterScale::ebu_plus18(-23.0).top, -5.0);
    }

    /// EBU Tech 3341, EBU Mode: "+9" spans −18 … +9 LU, "+18" −36 … +18 LU,
    /// i.e. −41 … −14 and −59 … −5 LUFS around −23 LUFS.
    #[test]
    fn ebu_scales_span_tech_3341_ranges_in_lu_and_lufs() {
        let bar = Rect::from_min_size(pos2(0.0, 100.0), vec2(16.0, 270.0));
        for (range, lo, hi) in [
            (EbuRange::Plus9, -41.0, -14.0),
            (EbuRange::Plus18, -59.0, -5.0),
        ] {
            for relative in [false, true] {
                let s = MeterScale::ebu(range, EBU_REFERENCE_LUFS, relative);
                assert_eq!((s.floor, s.top), (lo, hi), "{range:?}");
                // The ends of the range are the ends of the bar.
                assert_eq!(s.y_of(lo, bar), bar.bottom());
                assert_eq!(s.y_of(hi, bar), bar.top());
                // 0 LU (−23 LUFS) sits 18/27 or 36/54 of the way up: 2/3.
                let y = s.y_of(EBU_REFERENCE_LUFS, bar);
                let expected = bar.bottom() - bar.height() * 2.0 / 3.0;
                assert!((y - expected).abs() < 1e-3, "{range:?}: {y} vs {expected}");
                // Readings outside clamp to the ends.
                assert_eq!(s.y_of(lo - 10.0, bar), bar.bottom());
                assert_eq!(s.y_of(0.0, bar), bar.top());
            }
        }
        let rel = MeterScale::ebu(EbuRange::Plus9, EBU_REFERENCE_LUFS, true);
        assert_eq!(rel.unit, "LU");
        assert_eq!(rel.label(-23.0), "0");
        assert_eq!(rel.label(-14.0), "+9");
        assert_eq!(rel.label(-41.0), "−18");
        assert_eq!(rel.labelled_value(-20.5), 2.5);
        let abs = MeterScale::ebu(EbuRange::Plus18, EBU_REFERENCE_LUFS, false);
        assert_eq!(abs.unit, "LUFS");
        assert_eq!(abs.label(-23.0), "−23");
        assert_eq!(abs.labelled_value(-20.5), -20.5);
    }

    /// On a relative scale the ticks are whole LU whatever the reference
    /// (a −14.5 LUFS target gives ticks at −14.5, −17.5 … LUFS), include
    /// 0 LU and both ends when the bar is tall enough, and lie in the range.
    #[test]
    fn relative_ticks_are_round_in_lu_for_any_reference() {
        for reference in [-23.0f32, -14.5, -16.0] {
            for range in [EbuRange::Plus9, EbuRange::Plus18] {
                let s = MeterScale::ebu(range, reference, true);
                let ticks = s.ticks(540.0);
                let (lo, hi) = range.lu_range();
                let lu: Vec<f32> = ticks.iter().map(|t| s.labelled_value(*t)).collect();
                assert!(lu.iter().all(|v| (v - v.round()).abs() < 1e-4), "{lu:?}");
                assert!(lu.iter().all(|v| (lo..=hi).contains(v)), "{lu:?}");
                for must in [lo, 0.0, hi] {
                    assert!(
                        lu.iter().any(|v| (v - must).abs() < 1e-4),
                        "{range:?} at {reference}: {must} missing from {lu:?}"
                    );
                }
                assert!(lu.windows(2).all(|w| w[1] > w[0]));
            }
        }
    }
}
