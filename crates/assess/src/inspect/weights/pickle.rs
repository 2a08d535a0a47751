//! A scan of pickle opcodes for the callables that loading would import.
//!
//! Unpickling a PyTorch checkpoint runs whatever callables its `GLOBAL`, `INST` and
//! `STACK_GLOBAL` opcodes name, with arguments of the file's choosing. We walk the opcodes
//! (protocols 0–5) without executing anything, resolve each import to `module.name`, and
//! report those outside the allowlist of what tensor checkpoints need. `STACK_GLOBAL` takes
//! its names from the stack, so we track the most recent string pushes and the memo; an
//! import whose names are not literal strings is itself reported as unsafe.

use std::collections::BTreeMap;

use super::bytes::Reader;
use super::{WeightFacts, WeightFormat};
use crate::inspect::InspectError;

/// Callables that tensor checkpoints legitimately import. Entries ending in `.` are module
/// prefixes; `torch.*Storage` is checked separately.
const SAFE: &[&str] = &[
    "collections.OrderedDict",
    "collections.defaultdict",
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
    "torch._utils._rebuild_qtensor",
    "torch._utils._rebuild_sparse_tensor",
    "torch._utils._rebuild_meta_tensor_no_storage",
    "torch._utils._rebuild_wrapper_subclass",
    "torch._utils._rebuild_device_tensor_from_numpy",
    "torch._tensor._rebuild_from_type_v2",
    "torch.nn.parameter.Parameter",
    "torch.Size",
    "torch.device",
    "torch.float32",
    "torch.float16",
    "torch.bfloat16",
    "torch.float64",
    "torch.int64",
    "torch.int32",
    "torch.int16",
    "torch.int8",
    "torch.uint8",
    "torch.bool",
    "torch.storage.UntypedStorage",
    "numpy.core.multiarray._reconstruct",
    "numpy._core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar",
    "numpy._core.multiarray.scalar",
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.dtypes.",
    "_codecs.encode",
    "builtins.set",
    "builtins.frozenset",
    "builtins.slice",
    "builtins.complex",
    "builtins.bytearray",
    "__builtin__.set",
];

/// Modules (or `module.name`s) whose callables run commands, code or IO.
const DANGEROUS: &[&str] = &[
    "os.",
    "posix.",
    "nt.",
    "subprocess.",
    "pty.",
    "commands.",
    "runpy.",
    "webbrowser.",
    "socket.",
    "shutil.",
    "sys.",
    "importlib.",
    "ctypes.",
    "marshal.",
    "pickle.",
    "_pickle.",
    "code.",
    "codeop.",
    "platform.popen",
    "multiprocessing.",
    "asyncio.",
    "requests.",
    "urllib.",
    "http.",
    "ftplib.",
    "smtplib.",
    "telnetlib.",
    "tempfile.",
    "pdb.",
    "timeit.",
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.__import__",
    "builtins.getattr",
    "builtins.setattr",
    "builtins.delattr",
    "builtins.open",
    "builtins.input",
    "builtins.breakpoint",
    "builtins.globals",
    "builtins.locals",
    "builtins.vars",
    "builtins.apply",
    "__builtin__.eval",
    "__builtin__.exec",
    "__builtin__.execfile",
    "__builtin__.compile",
    "__builtin__.__import__",
    "__builtin__.getattr",
    "__builtin__.open",
    "__builtin__.file",
    "torch.load",
    "torch.hub.",
    "torch.storage._load_from_bytes",
    "numpy.load",
    "numpy.testing._private.utils.runstring",
];

/// What is reported for a `STACK_GLOBAL` whose operands are not literal strings.
const UNRESOLVED: &str = "<unresolved STACK_GLOBAL>";

/// The most imports remembered; a file with more distinct imports is hostile anyway.
const IMPORTS_MAX: usize = 1_000;

/// The most memo entries tracked.
const MEMO_MAX: usize = 100_000;

/// The most consecutive pickles scanned (a legacy `torch.save` file has five).
const PICKLES_MAX: usize = 16;

/// Inspects a legacy (non-zip) PyTorch pickle file.
pub(super) fn inspect(prefix: &[u8]) -> WeightFacts {
    let mut facts = WeightFacts::new(WeightFormat::PickleBin);
    let scan = scan(prefix);
    record(&mut facts, &scan);
    facts
}

/// Copies a scan's findings into facts.
pub(super) fn record(facts: &mut WeightFacts, scan: &Scan) {
    for import in &scan.imports {
        if !is_safe(import) && !facts.unsafe_imports.contains(import) {
            facts.unsafe_imports.push(import.clone());
            if is_dangerous(import) {
                facts.dangerous_imports.push(import.clone());
            }
        }
    }
    if facts.error.is_none() {
        facts.error.clone_from(&scan.error);
    }
}

/// The imports of one or more consecutive pickles.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// Every `module.name` imported, in order of first appearance.
    pub(super) imports: Vec<String>,
    /// Why scanning stopped early, if it did.
    pub(super) error: Option<String>,
}

/// Scans consecutive pickles from the start of `bytes`; stops after a `STOP` that is not
/// followed by another protocol-2+ pickle (the raw tensor data of a legacy file follows).
pub(super) fn scan(bytes: &[u8]) -> Scan {
    let mut result = Scan::default();
    let mut reader = Reader::new(bytes, "pickle");
    if bytes.is_empty() {
        result.error = Some("empty pickle".into());
        return result;
    }
    for _ in 0..PICKLES_MAX {
        let mut machine = Machine::default();
        if let Err(error) = machine.run(&mut reader, &mut result.imports) {
            result.error = Some(error.to_string());
            return result;
        }
        if !bytes
            .get(reader.position()..)
            .is_some_and(|rest| rest.starts_with(&[PROTO]))
        {
            break;
        }
    }
    result
}

/// `PROTO`, the first opcode of every protocol-2+ pickle.
const PROTO: u8 = 0x80;

/// Whether an import is on the allowlist.
fn is_safe(import: &str) -> bool {
    if let Some(name) = import.strip_prefix("torch.")
        && !name.contains('.')
        && name.ends_with("Storage")
    {
        return true;
    }
    SAFE.iter()
        .any(|safe| import == *safe || (safe.ends_with('.') && import.starts_with(safe)))
}

/// Whether an import is known to run commands or code.
fn is_dangerous(import: &str) -> bool {
    import == UNRESOLVED
        || DANGEROUS
            .iter()
            .any(|bad| import == *bad || (bad.ends_with('.') && import.starts_with(bad)))
}

/// What the scanner remembers of the pickle machine's state: just enough to resolve
/// `STACK_GLOBAL` operands.
#[derive(Default)]
struct Machine {
    /// The two most recent pushes: `Some` when a string, `None` otherwise (newest last).
    recent: [Option<String>; 2],
    /// Memo slots that hold strings.
    memo: BTreeMap<u64, String>,
    /// The next `MEMOIZE` slot.
    next_memo: u64,
}

impl Machine {
    /// Runs one pickle up to and including `STOP`.
    fn run(
        &mut self,
        reader: &mut Reader<'_>,
        imports: &mut Vec<String>,
    ) -> Result<(), InspectError> {
        loop {
            let at = reader.position();
            let opcode = reader.u8()?;
            match opcode {
                b'.' => return Ok(()),
                // GLOBAL and INST: "module\nname\n".
                b'c' | b'i' => {
                    let module = line(reader)?;
                    let name = line(reader)?;
                    note(imports, format!("{module}.{name}"));
                    self.push(None);
                }
                0x93 => {
                    let [module, name] = std::mem::take(&mut self.recent);
                    let import = match (module, name) {
                        (Some(module), Some(name)) => format!("{module}.{name}"),
                        _ => UNRESOLVED.to_string(),
                    };
                    note(imports, import);
                    self.push(None);
                }
                // Strings: the candidates for STACK_GLOBAL operands.
                b'X' | b'T' | b'B' => {
                    let length = reader.u32()?;
                    self.push_text(reader.take(length as usize)?);
                }
                b'U' | b'C' | 0x8c => {
                    let length = reader.u8()?;
                    self.push_text(reader.take(usize::from(length))?);
                }
                0x8d | 0x8e | 0x96 => {
                    let length = reader.u64()?;
                    let length = usize::try_from(length).unwrap_or(usize::MAX);
                    self.push_text(reader.take(length)?);
                }
                b'S' | b'V' => {
                    let text = line(reader)?;
                    let text = text.trim_matches(['\'', '"']).to_string();
                    self.push(Some(text));
                }
                // Memo.
                b'p' => {
                    let index = line(reader)?.trim().parse().unwrap_or(u64::MAX);
                    self.remember(index);
                }
                b'q' => {
                    let index = reader.u8()?;
                    self.remember(u64::from(index));
                }
                b'r' => {
                    let index = reader.u32()?;
                    self.remember(u64::from(index));
                }
                0x94 => {
                    let index = self.next_memo;
                    self.next_memo = self.next_memo.saturating_add(1);
                    self.remember(index);
                }
                b'g' => {
                    let index: u64 = line(reader)?.trim().parse().unwrap_or(u64::MAX);
                    self.recall(index);
                }
                b'h' => {
                    let index = reader.u8()?;
                    self.recall(u64::from(index));
                }
                b'j' => {
                    let index = reader.u32()?;
                    self.recall(u64::from(index));
                }
                // Opcodes with fixed-size arguments.
                b'K' | 0x80 | 0x82 => skip(reader, 1, self)?,
                b'M' | 0x83 => skip(reader, 2, self)?,
                b'J' | 0x84 => skip(reader, 4, self)?,
                b'G' => skip(reader, 8, self)?,
                0x95 => reader.skip(8)?,
                // Opcodes with a length-prefixed argument.
                0x8a => {
                    let length = reader.u8()?;
                    skip(reader, u64::from(length), self)?;
                }
                0x8b => {
                    let length = reader.u32()?;
                    skip(reader, u64::from(length), self)?;
                }
                // Opcodes with a newline-terminated argument.
                b'F' | b'I' | b'L' | b'P' => {
                    line(reader)?;
                    self.push(None);
                }
                // Opcodes without arguments.
                b'(' | b'0' | b'1' | b'2' | b'N' | b'Q' | b'R' | b'a' | b'b' | b'd' | b'}'
                | b'e' | b'l' | b']' | b'o' | b's' | b't' | b')' | b'u' | 0x81 | 0x85 | 0x86
                | 0x87 | 0x88 | 0x89 | 0x8f | 0x90 | 0x91 | 0x92 | 0x97 | 0x98 => {
                    self.push(None);
                }
                other => {
                    return Err(InspectError::malformed(
                        "pickle",
                        format!("unknown opcode 0x{other:02x} at offset {at}"),
                    ));
                }
            }
        }
    }

    /// Records a push onto the pickle stack.
    fn push(&mut self, value: Option<String>) {
        let [_, newest] = std::mem::take(&mut self.recent);
        self.recent = [newest, value];
    }

    /// Pushes a string argument, if it is short enough to be a module or callable name.
    fn push_text(&mut self, bytes: &[u8]) {
        const NAME_MAX: usize = 256;
        let text = (bytes.len() <= NAME_MAX).then(|| String::from_utf8_lossy(bytes).into_owned());
        self.push(text);
    }

    /// `PUT`/`MEMOIZE`: remembers the top of the stack when it is a string.
    fn remember(&mut self, index: u64) {
        match &self.recent[1] {
            Some(text) if self.memo.len() < MEMO_MAX || self.memo.contains_key(&index) => {
                self.memo.insert(index, text.clone());
            }
            _ => {
                self.memo.remove(&index);
            }
        }
    }

    /// `GET`: pushes a memo slot.
    fn recall(&mut self, index: u64) {
        let value = self.memo.get(&index).cloned();
        self.push(value);
    }
}

/// Skips a fixed-size argument and records a non-string push.
fn skip(reader: &mut Reader<'_>, count: u64, machine: &mut Machine) -> Result<(), InspectError> {
    reader.skip(count)?;
    machine.push(None);
    Ok(())
}

/// A newline-terminated argument, lossily decoded.
fn line(reader: &mut Reader<'_>) -> Result<String, InspectError> {
    const LINE_MAX: usize = 4096;
    let mut bytes = Vec::new();
    loop {
        let byte = reader.u8()?;
        if byte == b'\n' {
            return Ok(String::from_utf8_lossy(&bytes).into_owned());
        }
        if bytes.len() >= LINE_MAX {
            return Err(InspectError::malformed(
                "pickle",
                "argument line longer than 4096 bytes",
            ));
        }
        bytes.push(byte);
    }
}

/// Adds an import once, up to [`IMPORTS_MAX`].
fn note(imports: &mut Vec<String>, import: String) {
    if imports.len() < IMPORTS_MAX && !imports.contains(&import) {
        imports.push(import);
    }
}
