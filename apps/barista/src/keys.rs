//! The console from a keyboard or a bump bar (a USB keypad that types keys): which key
//! does what, the selected card and where a key moves it. Pure: the page reads
//! `KeyboardEvent.key` and asks here.
//!
//! The default map (`?` shows it in the console):
//!
//! | key | does |
//! |---|---|
//! | `1`–`9` | selects the card with that place on the board (Preview, then Production) |
//! | ↓ ↑ | the next or previous card in the column |
//! | → ← | the next or previous column |
//! | Enter | the selected card's main action: Make in Preview, Ready in Production |
//! | `u` | unmakes the selected card (back to Preview) |
//! | Delete | asks to cancel the selected card (the same confirmation as a tap) |
//! | `?` | shows or hides the keys |
//! | Escape | clears the selection, closes the keys |
//!
//! Each action can be given another key in the keys panel (a bump bar's keys), kept by
//! this browser.

use crate::board::{Board, Column};

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAction {
    Next,
    Previous,
    NextColumn,
    PreviousColumn,
    Main,
    Unmake,
    Cancel,
    Help,
    Clear,
}

impl KeyAction {
    /// Every action that has a key, in the order the keys panel lists them.
    pub const ALL: [KeyAction; 9] = [
        Self::Main,
        Self::Unmake,
        Self::Cancel,
        Self::Next,
        Self::Previous,
        Self::NextColumn,
        Self::PreviousColumn,
        Self::Help,
        Self::Clear,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Next => "next",
            Self::Previous => "previous",
            Self::NextColumn => "next-column",
            Self::PreviousColumn => "previous-column",
            Self::Main => "main",
            Self::Unmake => "unmake",
            Self::Cancel => "cancel",
            Self::Help => "help",
            Self::Clear => "clear",
        }
    }

    fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// What a key press comes to: an action, or picking the card at a place on the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Press {
    Action(KeyAction),
    /// `1`–`9`: the card at this place (0-based) in Preview, then Production.
    Place(usize),
}

/// Which key (`KeyboardEvent.key`) does each action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMap {
    keys: Vec<(KeyAction, String)>,
}

impl Default for KeyMap {
    fn default() -> Self {
        let keys = [
            (KeyAction::Next, "ArrowDown"),
            (KeyAction::Previous, "ArrowUp"),
            (KeyAction::NextColumn, "ArrowRight"),
            (KeyAction::PreviousColumn, "ArrowLeft"),
            (KeyAction::Main, "Enter"),
            (KeyAction::Unmake, "u"),
            (KeyAction::Cancel, "Delete"),
            (KeyAction::Help, "?"),
            (KeyAction::Clear, "Escape"),
        ];
        Self {
            keys: keys.map(|(a, k)| (a, k.to_string())).to_vec(),
        }
    }
}

impl KeyMap {
    /// What pressing `key` does, if anything. Letters match either case.
    pub fn press(&self, key: &str) -> Option<Press> {
        let same = |bound: &str| {
            bound == key || (key.chars().count() == 1 && bound.eq_ignore_ascii_case(key))
        };
        if let Some((action, _)) = self.keys.iter().find(|(_, k)| same(k)) {
            return Some(Press::Action(*action));
        }
        match key.as_bytes() {
            [digit @ b'1'..=b'9'] => Some(Press::Place(usize::from(digit - b'1'))),
            _ => None,
        }
    }

    /// The key that does `action`.
    pub fn key_for(&self, action: KeyAction) -> &str {
        self.keys
            .iter()
            .find(|(a, _)| *a == action)
            .map_or("", |(_, k)| k.as_str())
    }

    /// Gives `action` the key `key`; an action that had that key gets `action`'s old
    /// one (so no key does two things and none is lost). Digits stay the places.
    pub fn rebind(&mut self, action: KeyAction, key: &str) -> bool {
        if key.is_empty() || matches!(key.as_bytes(), [b'1'..=b'9']) {
            return false;
        }
        let old = self.key_for(action).to_string();
        for (a, k) in &mut self.keys {
            if *a == action {
                *k = key.to_string();
            } else if k == key {
                *k = old.clone();
            }
        }
        true
    }

    /// As this browser keeps it: `action=key` lines.
    pub fn to_text(&self) -> String {
        self.keys
            .iter()
            .map(|(a, k)| format!("{}={k}", a.name()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A kept map; anything unreadable keeps the default for that action.
    pub fn from_text(text: &str) -> Self {
        let mut map = Self::default();
        for line in text.lines() {
            if let Some((action, key)) = line
                .split_once('=')
                .and_then(|(a, k)| Some((KeyAction::named(a)?, k)))
            {
                map.rebind(action, key);
            }
        }
        map
    }
}

/// The cards keys move between: Preview, then Production, each by number (Pickup has
/// nothing to do).
fn columns(board: &Board) -> [Vec<String>; 2] {
    [Column::Preview, Column::Production].map(|c| {
        board
            .column(c)
            .into_iter()
            .map(|card| card.order.id)
            .collect()
    })
}

/// The card selected after `press`, from `selected` (an order id); `None` clears it.
pub fn navigate(board: &Board, selected: Option<&str>, press: Press) -> Option<String> {
    let cols = columns(board);
    let at = selected.and_then(|id| {
        cols.iter()
            .enumerate()
            .find_map(|(c, ids)| ids.iter().position(|i| i == id).map(|r| (c, r)))
    });
    let first_in = |c: usize| cols[c].first().cloned();
    match (press, at) {
        (Press::Place(n), _) => cols.iter().flatten().nth(n).cloned(),
        (Press::Action(KeyAction::Clear), _) => None,
        // Nothing selected (or it left the board): any move starts at the first card.
        (
            Press::Action(
                KeyAction::Next
                | KeyAction::Previous
                | KeyAction::NextColumn
                | KeyAction::PreviousColumn,
            ),
            None,
        ) => first_in(0).or_else(|| first_in(1)),
        (Press::Action(KeyAction::Next), Some((c, r))) => {
            cols[c].get(r + 1).or(cols[c].get(r)).cloned()
        }
        (Press::Action(KeyAction::Previous), Some((c, r))) => {
            cols[c].get(r.saturating_sub(1)).cloned()
        }
        (Press::Action(KeyAction::NextColumn | KeyAction::PreviousColumn), Some((c, r))) => {
            let other = 1 - c;
            match cols[other].get(r).or(cols[other].last()) {
                Some(id) => Some(id.clone()),
                None => cols[c].get(r).cloned(),
            }
        }
        (Press::Action(_), _) => selected.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::live::LiveModel;
    use shared::model::{Order, OrderState};
    use shared::realtime::RealtimeEvent;
    use shared::windows::Windows;

    const NOW: i64 = 10_000_000_000;

    fn board() -> Board {
        let mut board = Board::new(Windows::AWS, "me");
        for (id, n, barista) in [
            ("a", 1, None),
            ("b", 2, None),
            ("c", 3, None),
            ("m", 4, Some("me")),
        ] {
            let order = Order {
                barista_user_id: barista.map(Into::into),
                ..Order::numbered(id, n, "Latte", OrderState::Created, NOW)
            };
            board.apply(&RealtimeEvent::WaitingCompletion { order }, NOW);
        }
        board
    }

    #[test]
    fn the_default_keys() {
        let map = KeyMap::default();
        assert_eq!(map.press("Enter"), Some(Press::Action(KeyAction::Main)));
        assert_eq!(
            map.press("U"),
            Some(Press::Action(KeyAction::Unmake)),
            "either case"
        );
        assert_eq!(map.press("Delete"), Some(Press::Action(KeyAction::Cancel)));
        assert_eq!(map.press("?"), Some(Press::Action(KeyAction::Help)));
        assert_eq!(map.press("3"), Some(Press::Place(2)));
        assert_eq!(map.press("0"), None);
        assert_eq!(map.press("x"), None);
        assert_eq!(map.press("Shift"), None);
    }

    #[test]
    fn a_bump_bar_key_can_be_given_to_an_action_and_is_kept() {
        let mut map = KeyMap::default();
        assert!(map.rebind(KeyAction::Main, "F1"));
        assert_eq!(map.press("F1"), Some(Press::Action(KeyAction::Main)));
        assert_eq!(map.press("Enter"), None, "Enter no longer makes");
        // Taking another action's key swaps: no key does two things, none is lost.
        assert!(map.rebind(KeyAction::Unmake, "F1"));
        assert_eq!(map.press("F1"), Some(Press::Action(KeyAction::Unmake)));
        assert_eq!(map.key_for(KeyAction::Main), "u");
        assert!(!map.rebind(KeyAction::Cancel, "5"), "digits pick cards");
        assert!(!map.rebind(KeyAction::Cancel, ""));
        assert_eq!(KeyMap::from_text(&map.to_text()), map);
        assert_eq!(KeyMap::from_text("nonsense\nmain=F9\nwhat=F2"), {
            let mut m = KeyMap::default();
            m.rebind(KeyAction::Main, "F9");
            m
        });
    }

    #[test]
    fn keys_move_the_selection_across_preview_and_production() {
        let board = board();
        let go = |from: Option<&str>, press| navigate(&board, from, press);
        let act = Press::Action;
        assert_eq!(
            go(None, act(KeyAction::Next)).as_deref(),
            Some("a"),
            "starts at the first"
        );
        assert_eq!(go(Some("a"), act(KeyAction::Next)).as_deref(), Some("b"));
        assert_eq!(
            go(Some("c"), act(KeyAction::Next)).as_deref(),
            Some("c"),
            "stays at the end"
        );
        assert_eq!(
            go(Some("a"), act(KeyAction::Previous)).as_deref(),
            Some("a")
        );
        assert_eq!(
            go(Some("c"), act(KeyAction::NextColumn)).as_deref(),
            Some("m"),
            "the nearest in Production"
        );
        assert_eq!(
            go(Some("m"), act(KeyAction::PreviousColumn)).as_deref(),
            Some("a")
        );
        assert_eq!(
            go(Some("b"), Press::Place(3)).as_deref(),
            Some("m"),
            "4: Preview's three, then Production"
        );
        assert_eq!(go(Some("b"), Press::Place(8)), None);
        assert_eq!(go(Some("b"), act(KeyAction::Clear)), None);
        assert_eq!(go(Some("b"), act(KeyAction::Main)).as_deref(), Some("b"));
        assert_eq!(go(Some("gone"), act(KeyAction::Next)).as_deref(), Some("a"));
    }
}
