//! DynamoDB-typed JSON (`{"S":"…"}`, `{"N":"…"}`, `{"BOOL":…}`, `{"M":…}`, `{"L":…}`,
//! `{"NULL":true}`): what the W backend's direct integrations return (contract §3.0),
//! and what the emulator produces. Reading never panics: bad input is a [`DynamoError`].

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeValue {
    S(String),
    /// Numbers travel as decimal strings.
    N(String),
    Bool(bool),
    Null,
    M(Item),
    L(Vec<AttributeValue>),
}

/// An item: attribute name to value.
pub type Item = BTreeMap<String, AttributeValue>;

/// Why JSON is not DynamoDB-typed JSON.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DynamoError {
    #[error("expected a typed value object, found {0}")]
    NotTyped(&'static str),
    #[error("unsupported DynamoDB type {0:?}")]
    UnknownType(String),
    #[error("the {0} value has the wrong JSON type")]
    BadValue(&'static str),
    #[error("expected an item (a JSON object), found {0}")]
    NotAnItem(&'static str),
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl AttributeValue {
    pub fn s(text: impl Into<String>) -> Self {
        Self::S(text.into())
    }

    pub fn n(number: impl ToString) -> Self {
        Self::N(number.to_string())
    }

    /// Reads `{"<TYPE>": value}`.
    pub fn from_json(value: &Value) -> Result<Self, DynamoError> {
        let Value::Object(map) = value else {
            return Err(DynamoError::NotTyped(kind(value)));
        };
        let mut entries = map.iter();
        let (Some((ty, inner)), None) = (entries.next(), entries.next()) else {
            return Err(DynamoError::NotTyped(
                "an object without exactly one type key",
            ));
        };
        Ok(match (ty.as_str(), inner) {
            ("S", Value::String(s)) => Self::S(s.clone()),
            ("N", Value::String(n)) => Self::N(n.clone()),
            ("BOOL", Value::Bool(b)) => Self::Bool(*b),
            ("NULL", Value::Bool(true)) => Self::Null,
            ("M", inner @ Value::Object(_)) => Self::M(item_from_json(inner)?),
            ("L", Value::Array(list)) => {
                Self::L(list.iter().map(Self::from_json).collect::<Result<_, _>>()?)
            }
            ("S", _) => return Err(DynamoError::BadValue("S")),
            ("N", _) => return Err(DynamoError::BadValue("N")),
            ("BOOL", _) => return Err(DynamoError::BadValue("BOOL")),
            ("NULL", _) => return Err(DynamoError::BadValue("NULL")),
            ("M", _) => return Err(DynamoError::BadValue("M")),
            ("L", _) => return Err(DynamoError::BadValue("L")),
            (other, _) => return Err(DynamoError::UnknownType(other.to_string())),
        })
    }

    pub fn to_json(&self) -> Value {
        let (ty, inner) = match self {
            Self::S(s) => ("S", Value::String(s.clone())),
            Self::N(n) => ("N", Value::String(n.clone())),
            Self::Bool(b) => ("BOOL", Value::Bool(*b)),
            Self::Null => ("NULL", Value::Bool(true)),
            Self::M(item) => ("M", item_to_json(item)),
            Self::L(list) => ("L", Value::Array(list.iter().map(Self::to_json).collect())),
        };
        let mut map = Map::new();
        map.insert(ty.to_string(), inner);
        Value::Object(map)
    }

    pub fn as_s(&self) -> Option<&str> {
        match self {
            Self::S(s) => Some(s),
            _ => None,
        }
    }

    /// A number as an integer; also accepts a string holding one, since W stores
    /// `orderNumber` as `S`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::N(n) | Self::S(n) => n.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_m(&self) -> Option<&Item> {
        match self {
            Self::M(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_l(&self) -> Option<&[AttributeValue]> {
        match self {
            Self::L(l) => Some(l),
            _ => None,
        }
    }
}

/// Reads an item: an object of typed values.
pub fn item_from_json(value: &Value) -> Result<Item, DynamoError> {
    let Value::Object(map) = value else {
        return Err(DynamoError::NotAnItem(kind(value)));
    };
    let mut item = Item::new();
    for (name, v) in map {
        item.insert(name.clone(), AttributeValue::from_json(v)?);
    }
    Ok(item)
}

pub fn item_to_json(item: &Item) -> Value {
    let mut map = Map::new();
    for (name, v) in item {
        map.insert(name.clone(), v.to_json());
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_type() {
        let v = json!({"M": {
            "s": {"S": "x"}, "n": {"N": "-1.5"}, "b": {"BOOL": false}, "z": {"NULL": true},
            "l": {"L": [{"S": "a"}, {"M": {}}]}
        }});
        let parsed = AttributeValue::from_json(&v).unwrap();
        let m = parsed.as_m().unwrap();
        assert_eq!(m["s"].as_s(), Some("x"));
        assert_eq!(m["n"], AttributeValue::N("-1.5".into()));
        assert_eq!(m["b"].as_bool(), Some(false));
        assert_eq!(m["z"], AttributeValue::Null);
        assert_eq!(m["l"].as_l().unwrap().len(), 2);
        assert_eq!(parsed.to_json(), v, "round trip");
    }

    #[test]
    fn numbers_read_from_n_or_s() {
        assert_eq!(AttributeValue::n(41).as_i64(), Some(41));
        assert_eq!(AttributeValue::s("41").as_i64(), Some(41));
        assert_eq!(AttributeValue::s("x").as_i64(), None);
        assert_eq!(AttributeValue::Bool(true).as_i64(), None);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for (bad, expected) in [
            (json!("x"), DynamoError::NotTyped("a string")),
            (
                json!({}),
                DynamoError::NotTyped("an object without exactly one type key"),
            ),
            (
                json!({"S": "a", "N": "1"}),
                DynamoError::NotTyped("an object without exactly one type key"),
            ),
            (json!({"SS": ["a"]}), DynamoError::UnknownType("SS".into())),
            (json!({"N": 1}), DynamoError::BadValue("N")),
            (json!({"NULL": false}), DynamoError::BadValue("NULL")),
            (json!({"L": {}}), DynamoError::BadValue("L")),
            (json!({"M": {"a": 1}}), DynamoError::NotTyped("a number")),
        ] {
            assert_eq!(AttributeValue::from_json(&bad), Err(expected), "{bad}");
        }
        assert_eq!(
            item_from_json(&json!([])),
            Err(DynamoError::NotAnItem("an array"))
        );
    }
}
