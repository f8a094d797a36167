//! Schema-driven decoding of one protobuf message into its Kubernetes JSON form.
//!
//! Occurrences of a non-repeated message field are collected as byte chunks and decoded together
//! at the end, which is exactly protobuf's merge semantics (concatenated encodings merge).

use base64::Engine as _;
use serde_json::{Map, Number, Value};

use super::schema::{Card, Field, Message, Ty};
use super::special;
use super::wire::{Reader, WireError, WireResult, WireValue, packed_varints};

/// Deepest nesting of messages accepted. The deepest real object path (a volume's ephemeral PVC
/// template's label selector expressions inside a CronJob) is about 15 levels; the bound keeps
/// hostile bodies from exhausting the stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// What has been collected for one schema field while scanning a message.
enum Slot<'a> {
    Empty,
    Value(Value),
    Chunks(Vec<&'a [u8]>),
    List(Vec<Value>),
    Map(Map<String, Value>),
}

/// Decodes `chunks` (one message, possibly split into mergeable parts) as `msg` into a JSON object
/// from which zero values of non-pointer fields have been dropped.
pub(crate) fn message(
    chunks: &[&[u8]],
    msg: &'static Message,
    depth: usize,
) -> WireResult<Map<String, Value>> {
    if depth > MAX_DEPTH {
        return Err(WireError::new(format!(
            "messages nested deeper than {MAX_DEPTH} levels (reached {})",
            msg.name
        )));
    }
    let mut slots: Vec<Slot<'_>> = msg.fields.iter().map(|_| Slot::Empty).collect();
    for chunk in chunks {
        let mut r = Reader::new(chunk);
        while let Some((tag, wv)) = r.next_field()? {
            // Unknown fields are skipped, as generated Go code does: newer clients may send
            // fields this schema does not know yet.
            let Some((i, field)) = msg.field(tag) else {
                continue;
            };
            collect(&mut slots[i], field, wv, depth).map_err(|e| e.within(label(field)))?;
        }
    }
    let mut out = Map::new();
    for (slot, field) in slots.into_iter().zip(msg.fields) {
        let value = match slot {
            Slot::Empty => continue,
            Slot::Value(v) => v,
            Slot::List(items) => Value::Array(items),
            Slot::Map(m) => Value::Object(m),
            Slot::Chunks(parts) => {
                let Ty::Msg(inner) = field.ty else { continue };
                let obj = message(&parts, inner, depth + 1).map_err(|e| e.within(label(field)))?;
                if field.card == Card::Inline {
                    out.extend(obj);
                    continue;
                }
                Value::Object(obj)
            }
        };
        // Null is what a zero Time or an empty RawExtension decodes to; Go's JSON would print
        // `null`, which is the same as leaving the key out.
        if value.is_null() || (!field.keep_zero && is_zero(&value)) {
            continue;
        }
        out.insert(field.name.to_string(), value);
    }
    Ok(out)
}

fn label(field: &Field) -> &'static str {
    if field.card == Card::Inline {
        "(inline)"
    } else {
        field.name
    }
}

/// Whether a value is what Go's JSON encoder would have omitted (or printed as an empty value)
/// for a non-pointer field that was never set.
fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_i64() == Some(0) || n.as_u64() == Some(0) || n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn collect<'a>(
    slot: &mut Slot<'a>,
    field: &'static Field,
    wv: WireValue<'a>,
    depth: usize,
) -> WireResult<()> {
    match field.card {
        Card::One | Card::Inline => {
            if let (Ty::Msg(_), WireValue::Len(b)) = (field.ty, wv) {
                match slot {
                    Slot::Chunks(parts) => parts.push(b),
                    _ => *slot = Slot::Chunks(vec![b]),
                }
            } else {
                // proto2: the last occurrence of a scalar wins.
                *slot = Slot::Value(scalar(field.ty, wv, depth)?);
            }
        }
        Card::List => {
            if !matches!(slot, Slot::List(_)) {
                *slot = Slot::List(Vec::new());
            }
            let Slot::List(items) = slot else { return Ok(()) };
            let index = items.len();
            match (field.ty, wv) {
                // Packed encoding of repeated numbers: gogo writes proto2 lists unpacked, but a
                // parser must accept both.
                (Ty::I32 | Ty::I64 | Ty::Bool, WireValue::Len(b)) => {
                    for v in packed_varints(b)? {
                        items.push(scalar(field.ty, WireValue::Varint(v), depth)?);
                    }
                }
                _ => items.push(scalar(field.ty, wv, depth).map_err(|e| e.within(format!("[{index}]")))?),
            }
        }
        Card::Map => {
            if !matches!(slot, Slot::Map(_)) {
                *slot = Slot::Map(Map::new());
            }
            let Slot::Map(entries) = slot else { return Ok(()) };
            let (key, value) = map_entry(field.ty, wv, depth)?;
            entries.insert(key, value);
        }
    }
    Ok(())
}

fn map_entry(ty: Ty, wv: WireValue<'_>, depth: usize) -> WireResult<(String, Value)> {
    let b = expect_len(wv)?;
    let mut key = String::new();
    let mut value = None;
    let mut r = Reader::new(b);
    while let Some((tag, v)) = r.next_field()? {
        match tag {
            1 => key = string(expect_len(v).map_err(|e| e.within("key"))?),
            2 => value = Some(scalar(ty, v, depth + 1).map_err(|e| e.within("value"))?),
            _ => {}
        }
    }
    // A missing value is the type's zero value, as in every protobuf implementation.
    let value = match value {
        Some(v) => v,
        None => {
            scalar(ty, WireValue::Len(&[]), depth + 1).or_else(|_| scalar(ty, WireValue::Varint(0), depth))?
        }
    };
    Ok((key, value))
}

/// Decodes one value of type `ty`.
fn scalar(ty: Ty, wv: WireValue<'_>, depth: usize) -> WireResult<Value> {
    Ok(match ty {
        Ty::Str => Value::String(string(expect_len(wv)?)),
        Ty::Bytes => Value::String(base64::engine::general_purpose::STANDARD.encode(expect_len(wv)?)),
        // int32 values are sign-extended to 64 bits on the wire; truncation recovers them.
        Ty::I32 => Value::Number(Number::from(expect_varint(wv)? as i32)),
        Ty::I64 => Value::Number(Number::from(expect_varint(wv)? as i64)),
        Ty::Bool => Value::Bool(expect_varint(wv)? != 0),
        Ty::Msg(m) => Value::Object(message(&[expect_len(wv)?], m, depth + 1)?),
        Ty::Time => special::time(expect_len(wv)?, false)?,
        Ty::MicroTime => special::time(expect_len(wv)?, true)?,
        Ty::Duration => special::duration(expect_len(wv)?)?,
        Ty::IntOrString => special::int_or_string(expect_len(wv)?)?,
        Ty::Quantity => special::quantity(expect_len(wv)?)?,
        Ty::RawExtension | Ty::FieldsV1 => special::raw_json(expect_len(wv)?, depth)?,
        Ty::ExtraValue => special::extra_value(expect_len(wv)?)?,
    })
}

/// Go's `encoding/json` replaces invalid UTF-8 with U+FFFD rather than failing, and gogo does not
/// validate proto2 strings, so a lossy conversion matches what kube-apiserver would store.
pub(crate) fn string(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(crate) fn expect_len(wv: WireValue<'_>) -> WireResult<&[u8]> {
    match wv {
        WireValue::Len(b) => Ok(b),
        other => Err(WireError::new(format!(
            "wire type {}, expected length-delimited",
            other.type_name()
        ))),
    }
}

pub(crate) fn expect_varint(wv: WireValue<'_>) -> WireResult<u64> {
    match wv {
        WireValue::Varint(v) => Ok(v),
        other => Err(WireError::new(format!(
            "wire type {}, expected varint",
            other.type_name()
        ))),
    }
}
