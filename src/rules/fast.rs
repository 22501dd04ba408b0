//! The compiled fast path for rhai scripts.
//!
//! At load time, the part of a script's AST that stays inside a small subset — numbers,
//! booleans, `()`, string equality, arithmetic, comparisons, `&&` `||` `??` `!`, `let`,
//! assignment and `+=`-style updates, `if`/`else`, `return`, `weights.<component>` and
//! `settings.<path>` (folded to the brand's values), and the math helpers `min max abs floor
//! ceiling round sqrt exp ln log clamp ratio has to_float` — is compiled once into a tree of
//! native closures. Runs of float arithmetic (an operator with an operand that is never an
//! integer) are flattened further into a `Kernel`: postfix code over a stack of floats,
//! one closure call for a whole formula like the benchmark brand's. Evaluating takes no
//! allocation and no interpretation. `note`,
//! `print` and `debug` compile to a bail: only the rows that reach one run in the
//! interpreter, which writes the note. Where nobody will read the notes
//! ([`Inputs::quiet`]), a `note` of a string (interpolated or not) works out the values it
//! shows instead, and bails only where the interpreter could fail.
//!
//! The closures reproduce rhai's own semantics, including its epsilon-tolerant float
//! comparisons and checked integer arithmetic. Whenever a value leaves the subset at run
//! time (a type rhai would reject, an integer overflow), evaluation *bails* and the caller
//! runs the rhai interpreter instead, so errors are always rhai's own. Scripts that use
//! anything else (loops, strings beyond equality, arrays, maps, functions) are not compiled
//! at all and always run interpreted, under the sandbox limits.

use rhai::{Dynamic, Expr, Stmt, StmtBlock, AST};

use super::script::VARIABLES;

/// A value on the fast path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum V {
    /// `()`: a missing value.
    Unit,
    /// A boolean.
    Bool(bool),
    /// A rhai integer.
    Int(i64),
    /// A rhai float.
    Float(f64),
    /// A string: an input variable's text or a constant of the script.
    Str(StrRef),
}

/// Where a string value lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrRef {
    /// The input variable with this slot.
    Input(u16),
    /// The script's string constant with this index.
    Const(u32),
}

/// The values a compiled script reads, one slot per entry of [`VARIABLES`].
pub struct Inputs<'a> {
    /// Values by slot; string inputs are `V::Str(StrRef::Input(slot))`. Written only by
    /// [`Inputs::set_float`] and [`Inputs::set_str`], so an input is never an integer: the
    /// compiler relies on it to run arithmetic on inputs as floats (see `Kernel`).
    values: [V; VARIABLES.len()],
    /// The text of string inputs, by slot (empty for other slots).
    pub strings: [&'a str; VARIABLES.len()],
    /// Nobody will read this row's notes (a ranking that will not show it): `note("…")`
    /// works out the values it shows, so that a failure still bails, and writes nothing.
    /// Otherwise a `note` bails, and the interpreter writes it.
    pub quiet: bool,
}

impl Default for Inputs<'_> {
    fn default() -> Self {
        Self { values: [V::Unit; VARIABLES.len()], strings: [""; VARIABLES.len()], quiet: false }
    }
}

impl<'a> Inputs<'a> {
    /// No inputs yet (every slot `()`), with [`Inputs::quiet`] as given.
    pub fn new(quiet: bool) -> Self {
        Self { quiet, ..Self::default() }
    }

    /// The value in `slot`: a float, a string or `()`.
    pub fn get(&self, slot: usize) -> V {
        self.values[slot]
    }

    /// Sets a numeric input, or `()` when absent.
    pub fn set_float(&mut self, slot: usize, value: Option<f64>) {
        self.values[slot] = value.map_or(V::Unit, V::Float);
    }

    /// Sets a string input, or `()` when absent.
    pub fn set_str(&mut self, slot: usize, value: Option<&'a str>) {
        match value {
            Some(text) => {
                self.values[slot] = V::Str(StrRef::Input(slot as u16));
                self.strings[slot] = text;
            }
            None => self.values[slot] = V::Unit,
        }
    }
}

/// The slot of a script variable.
pub fn slot(name: &str) -> Option<usize> {
    VARIABLES.iter().position(|(n, _)| *n == name)
}

/// Control flow out of a node: an early `return`, or a bail-out to the interpreter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Flow {
    /// `return value;`
    Return(V),
    /// The fast path cannot decide; run the interpreter.
    Bail,
}

struct Frame<'f, 'a> {
    inputs: &'f Inputs<'a>,
    consts: &'f [String],
    locals: [V; MAX_LOCALS],
}

const MAX_LOCALS: usize = 16;

type Node = Box<dyn for<'f, 'a> Fn(&mut Frame<'f, 'a>) -> Result<V, Flow> + Send + Sync>;

/// Boxes a closure as a node (this pins down its higher-ranked signature).
fn node(
    f: impl for<'f, 'a> Fn(&mut Frame<'f, 'a>) -> Result<V, Flow> + Send + Sync + 'static,
) -> Node {
    Box::new(f)
}

/// A compiled expression: constants and variables are read in place rather than through
/// a closure call, and a run of float arithmetic is one [`Kernel`].
enum Operand {
    Const(V),
    Input(usize),
    Local(usize),
    Node(Node),
    Kernel(Kernel),
}

impl Operand {
    #[inline(always)]
    fn get(&self, frame: &mut Frame) -> Result<V, Flow> {
        match self {
            Operand::Const(v) => Ok(*v),
            Operand::Input(slot) => Ok(frame.inputs.values[*slot]),
            Operand::Local(slot) => Ok(frame.locals[*slot]),
            Operand::Node(node) => node(frame),
            Operand::Kernel(kernel) => kernel.run(frame).map(V::Float),
        }
    }

    /// Whether the value can never be an integer (a float, a string, a boolean, `()`, an
    /// input, a kernel's float): rhai's arithmetic with such an operand is a float whenever
    /// the other side is a number too, and otherwise not a number (a failure, or `+`
    /// joining strings), where a kernel bails.
    fn never_int(&self) -> bool {
        match self {
            Operand::Const(v) => !matches!(v, V::Int(_)),
            Operand::Input(_) | Operand::Kernel(_) => true,
            Operand::Local(_) | Operand::Node(_) => false,
        }
    }

    fn into_node(self) -> Node {
        match self {
            Operand::Const(v) => node(move |_| Ok(v)),
            Operand::Input(slot) => node(move |frame| Ok(frame.inputs.values[slot])),
            Operand::Local(slot) => node(move |frame| Ok(frame.locals[slot])),
            Operand::Node(node) => node,
            Operand::Kernel(kernel) => node(move |frame| kernel.run(frame).map(V::Float)),
        }
    }

    /// The operand as kernel code: pushes its value as a float (bailing on anything that is
    /// not a number, as rhai's arithmetic fails on it).
    fn into_code(self) -> Vec<Op> {
        match self {
            Operand::Const(V::Float(x)) => vec![Op::Const(x)],
            Operand::Const(V::Int(i)) => vec![Op::Const(i as f64)],
            Operand::Input(slot) => vec![Op::Input(slot)],
            Operand::Kernel(kernel) if kernel.depth < KERNEL_DEPTH => kernel.code.into_vec(),
            other => vec![Op::Operand(Box::new(other))],
        }
    }
}

/// One step of a [`Kernel`], on a stack of floats.
enum Op {
    Const(f64),
    Input(usize),
    /// Any other operand, as a number.
    Operand(Box<Operand>),
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Min,
    Max,
}

/// The deepest stack a kernel uses; a deeper operand stays a kernel of its own.
const KERNEL_DEPTH: usize = 16;

/// Arithmetic (`+ - * / % **`, unary `-`, `min`, `max`) where every operator has an operand
/// that is never an integer ([`Operand::never_int`]): in rhai such an operator gives a
/// float or fails, so the whole run is float arithmetic in postfix order, one closure call
/// for all of it and no [`V`] matched between operators. A value that is not a number
/// bails, as the operator it feeds would.
struct Kernel {
    code: Box<[Op]>,
    depth: usize,
}

impl Kernel {
    /// The kernel of `op` over `operands`, in order.
    fn new(operands: Vec<Operand>, op: Op) -> Self {
        let mut code: Vec<Op> = operands.into_iter().flat_map(Operand::into_code).collect();
        code.push(op);
        let depth = Self::depth(&code);
        // Each operand spliced in is shallower than the limit, and sits on at most one value.
        debug_assert!(depth <= KERNEL_DEPTH, "a kernel {depth} deep");
        Self { code: code.into_boxed_slice(), depth }
    }

    fn depth(code: &[Op]) -> usize {
        let (mut now, mut deepest) = (0usize, 0usize);
        for op in code {
            match op {
                Op::Const(_) | Op::Input(_) | Op::Operand(_) => now += 1,
                Op::Neg => {}
                _ => now -= 1,
            }
            deepest = deepest.max(now);
        }
        deepest
    }

    fn run(&self, frame: &mut Frame) -> Result<f64, Flow> {
        let mut stack = [0.0f64; KERNEL_DEPTH];
        let mut top = 0;
        for op in &self.code {
            let (x, y) = match op {
                Op::Const(x) => {
                    stack[top] = *x;
                    top += 1;
                    continue;
                }
                Op::Input(slot) => {
                    stack[top] = num(frame.inputs.values[*slot])?;
                    top += 1;
                    continue;
                }
                Op::Operand(operand) => {
                    stack[top] = num(operand.get(frame)?)?;
                    top += 1;
                    continue;
                }
                Op::Neg => {
                    stack[top - 1] = -stack[top - 1];
                    continue;
                }
                _ => {
                    top -= 1;
                    (stack[top - 1], stack[top])
                }
            };
            stack[top - 1] = match op {
                Op::Add => x + y,
                Op::Sub => x - y,
                Op::Mul => x * y,
                Op::Div => x / y,
                Op::Rem => x % y,
                Op::Pow => x.powf(y),
                Op::Min => pick(true, x, y),
                _ => pick(false, x, y),
            };
        }
        Ok(stack[0])
    }
}

/// rhai's float `min` (`is_min`) or `max`: the first on a tie, the second when either is NaN.
fn pick(is_min: bool, x: f64, y: f64) -> f64 {
    let pick_x = if is_min { x <= y } else { x >= y };
    if pick_x {
        x
    } else {
        y
    }
}

/// A script compiled to native closures.
pub struct FastScript {
    root: Node,
    consts: Vec<String>,
}

impl std::fmt::Debug for FastScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastScript").field("consts", &self.consts).finish_non_exhaustive()
    }
}

/// Constants the compiler may fold into a script: the brand's component weights and
/// settings.
#[derive(Clone, Debug, Default)]
pub struct Constants {
    /// `weights.<name>` values, when the script may read `weights`.
    pub weights: Option<Vec<(&'static str, f64)>>,
    /// The `settings` map, when the script may read it: a path of properties to a number,
    /// boolean, string or `()` folds to that value.
    pub settings: Option<rhai::Map>,
}

impl FastScript {
    /// Compiles `ast`, or says why it stays interpreted.
    pub fn compile(ast: &AST, constants: &Constants) -> Result<Self, String> {
        if ast.has_functions() {
            return Err("it defines functions".to_owned());
        }
        let mut compiler =
            Compiler { constants, consts: Vec::new(), scopes: vec![Vec::new()], n_locals: 0 };
        let root = compiler.block(ast.statements())?;
        Ok(Self { root, consts: compiler.consts })
    }

    /// Runs the script. `Err(Flow::Bail)` means: ask the interpreter.
    pub fn eval(&self, inputs: &Inputs) -> Result<V, Flow> {
        let mut frame = Frame { inputs, consts: &self.consts, locals: [V::Unit; MAX_LOCALS] };
        match (self.root)(&mut frame) {
            Ok(value) | Err(Flow::Return(value)) => Ok(value),
            Err(Flow::Bail) => Err(Flow::Bail),
        }
    }

    /// Runs the script and returns its number, if it gives a finite one.
    pub fn eval_number(&self, inputs: &Inputs) -> Option<f64> {
        match self.eval(inputs) {
            Ok(V::Float(x)) if x.is_finite() => Some(x),
            Ok(V::Int(i)) => Some(i as f64),
            _ => None,
        }
    }

    /// Runs a condition and returns its verdict, if it gives a boolean.
    pub fn eval_bool(&self, inputs: &Inputs) -> Option<bool> {
        match self.eval(inputs) {
            Ok(V::Bool(b)) => Some(b),
            _ => None,
        }
    }
}

struct Compiler<'c> {
    constants: &'c Constants,
    consts: Vec<String>,
    scopes: Vec<Vec<(String, usize)>>,
    n_locals: usize,
}

fn unsupported<T>(what: impl std::fmt::Display) -> Result<T, String> {
    Err(format!("it uses {what}"))
}

impl Compiler<'_> {
    fn block(&mut self, statements: &[Stmt]) -> Result<Node, String> {
        self.scopes.push(Vec::new());
        let nodes: Result<Vec<Node>, String> = statements.iter().map(|s| self.stmt(s)).collect();
        self.scopes.pop();
        let mut nodes = nodes?;
        Ok(match nodes.len() {
            0 => node(|_| Ok(V::Unit)),
            1 => nodes.pop().expect("one node"),
            _ => node(move |frame| {
                let (last, rest) = nodes.split_last().expect("several nodes");
                for node in rest {
                    node(frame)?;
                }
                last(frame)
            }),
        })
    }

    fn stmt_block(&mut self, block: &StmtBlock) -> Result<Node, String> {
        self.block(block.statements())
    }

    fn local(&self, name: &str) -> Option<usize> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
    }

    fn stmt(&mut self, stmt: &Stmt) -> Result<Node, String> {
        match stmt {
            Stmt::Noop(_) => Ok(node(|_| Ok(V::Unit))),
            Stmt::Expr(expr) => self.expr(expr),
            Stmt::FnCall(call, _) => {
                self.call(&call.name, &call.args, call.namespace.is_empty()).map(Operand::into_node)
            }
            Stmt::Block(block) => self.stmt_block(block),
            Stmt::Var(var, _, _) => {
                let (ident, value, _) = &**var;
                let value = self.expr(value)?;
                if self.n_locals == MAX_LOCALS {
                    return unsupported(format!("more than {MAX_LOCALS} variables"));
                }
                let slot = self.n_locals;
                self.n_locals += 1;
                self.scopes.last_mut().expect("a scope").push((ident.name.to_string(), slot));
                Ok(node(move |frame| {
                    frame.locals[slot] = value(frame)?;
                    Ok(V::Unit)
                }))
            }
            Stmt::Assignment(assignment) => {
                let (op, binary) = &**assignment;
                let Expr::Variable(var, _, _) = &binary.lhs else {
                    return unsupported("assignment to something other than a variable");
                };
                let name = var.1.as_str();
                let Some(slot) = self.local(name) else {
                    return unsupported(format!("assignment to `{name}`"));
                };
                let value = self.expr(&binary.rhs)?;
                match op.get_op_assignment_info() {
                    None => Ok(node(move |frame| {
                        frame.locals[slot] = value(frame)?;
                        Ok(V::Unit)
                    })),
                    Some((.., op_syntax)) => {
                        let op = binary_op(op_syntax)
                            .ok_or_else(|| format!("it uses `{op_syntax}=`"))?;
                        Ok(node(move |frame| {
                            let rhs = value(frame)?;
                            frame.locals[slot] = op(frame, frame.locals[slot], rhs)?;
                            Ok(V::Unit)
                        }))
                    }
                }
            }
            Stmt::If(flow, _) => {
                let condition = self.expr(&flow.expr)?;
                let body = self.stmt_block(&flow.body)?;
                let branch = self.stmt_block(&flow.branch)?;
                Ok(node(move |frame| match condition(frame)? {
                    V::Bool(true) => body(frame),
                    V::Bool(false) => branch(frame),
                    _ => Err(Flow::Bail),
                }))
            }
            Stmt::Return(value, flags, _) if !flags.contains(rhai::ASTFlags::BREAK) => {
                let value = match value {
                    Some(expr) => self.expr(expr)?,
                    None => node(|_| Ok(V::Unit)),
                };
                Ok(node(move |frame| Err(Flow::Return(value(frame)?))))
            }
            Stmt::Switch(..) => unsupported("`switch`"),
            Stmt::While(..) | Stmt::Do(..) | Stmt::For(..) => unsupported("a loop"),
            _ => unsupported("a statement outside the compiled subset"),
        }
    }

    fn expr(&mut self, expr: &Expr) -> Result<Node, String> {
        match expr {
            // Values, variables, calls and properties are operands (`Compiler::operand`, which
            // takes every one of these itself: it hands only the rest back here).
            Expr::Unit(_)
            | Expr::BoolConstant(..)
            | Expr::IntegerConstant(..)
            | Expr::FloatConstant(..)
            | Expr::StringConstant(..)
            | Expr::DynamicConstant(..)
            | Expr::Variable(..)
            | Expr::FnCall(..) => self.operand(expr).map(Operand::into_node),
            // (A negated dot is `?.`, which stays outside the subset.)
            Expr::Dot(_, flags, _) if !flags.contains(rhai::ASTFlags::NEGATED) => {
                self.operand(expr).map(Operand::into_node)
            }
            Expr::Stmt(block) => self.stmt_block(block),
            Expr::And(operands, _) | Expr::Or(operands, _) => {
                let is_and = matches!(expr, Expr::And(..));
                let nodes: Vec<Node> =
                    operands.iter().map(|e| self.expr(e)).collect::<Result<_, _>>()?;
                Ok(node(move |frame| {
                    for node in &nodes {
                        match node(frame)? {
                            V::Bool(b) if b != is_and => return Ok(V::Bool(b)),
                            V::Bool(_) => {}
                            _ => return Err(Flow::Bail),
                        }
                    }
                    Ok(V::Bool(is_and))
                }))
            }
            Expr::Coalesce(operands, _) => {
                let nodes: Vec<Node> =
                    operands.iter().map(|e| self.expr(e)).collect::<Result<_, _>>()?;
                Ok(node(move |frame| {
                    let (last, rest) = nodes.split_last().expect("?? has operands");
                    for node in rest {
                        let value = node(frame)?;
                        if value != V::Unit {
                            return Ok(value);
                        }
                    }
                    last(frame)
                }))
            }
            Expr::InterpolatedString(..) => unsupported("string interpolation"),
            Expr::Array(..) => unsupported("an array"),
            Expr::Map(..) => unsupported("an object map"),
            Expr::Index(..) => unsupported("indexing"),
            _ => unsupported("an expression outside the compiled subset"),
        }
    }

    /// `object.rest`: `weights.<component>` and `settings.<path>` fold to constants, a method
    /// call is a call with `object` first.
    fn dot(&mut self, object: &Expr, rest: &Expr) -> Result<Operand, String> {
        match (object, rest) {
            (Expr::Variable(var, _, _), Expr::Property(prop, _))
                if var.1.as_str() == "weights" && self.local("weights").is_none() =>
            {
                let name = prop.2.as_str();
                let weight = self
                    .constants
                    .weights
                    .as_ref()
                    .and_then(|w| w.iter().find(|(n, _)| *n == name))
                    .map(|(_, w)| *w)
                    .ok_or_else(|| format!("it reads `weights.{name}`"))?;
                Ok(Operand::Const(V::Float(weight)))
            }
            (Expr::Variable(var, _, _), path)
                if var.1.as_str() == "settings" && self.local("settings").is_none() =>
            {
                self.setting(path)
            }
            (object, Expr::MethodCall(call, _)) => {
                let mut args = Vec::with_capacity(call.args.len() + 1);
                args.push(object.clone());
                args.extend(call.args.iter().cloned());
                self.call(&call.name, &args, call.namespace.is_empty())
            }
            _ => unsupported(
                "property access other than `weights.<component>` and `settings.<path>`",
            ),
        }
    }

    fn operand(&mut self, expr: &Expr) -> Result<Operand, String> {
        Ok(match expr {
            Expr::FloatConstant(f, _) => Operand::Const(V::Float(**f)),
            Expr::IntegerConstant(i, _) => Operand::Const(V::Int(*i)),
            Expr::BoolConstant(b, _) => Operand::Const(V::Bool(*b)),
            Expr::Unit(_) => Operand::Const(V::Unit),
            Expr::StringConstant(s, _) => Operand::Const(self.string_constant(s.as_str())),
            Expr::DynamicConstant(value, _) => self.dynamic_constant(value)?,
            Expr::FnCall(call, _) => {
                self.call(&call.name, &call.args, call.namespace.is_empty())?
            }
            Expr::Dot(binary, flags, _) if !flags.contains(rhai::ASTFlags::NEGATED) => {
                self.dot(&binary.lhs, &binary.rhs)?
            }
            Expr::Variable(var, _, _) => {
                let name = var.1.as_str();
                if !var.2.is_empty() {
                    return unsupported(format!("the module path `{name}`"));
                }
                match (self.local(name), slot(name)) {
                    (Some(local), _) => Operand::Local(local),
                    (None, Some(input))
                        if !matches!(name, "niches" | "extra" | "weights" | "settings") =>
                    {
                        Operand::Input(input)
                    }
                    _ => return unsupported(format!("`{name}` as a value")),
                }
            }
            _ => Operand::Node(self.expr(expr)?),
        })
    }

    /// `settings.<path>`, folded to its value: the brand's settings are fixed once loaded.
    fn setting(&mut self, path: &Expr) -> Result<Operand, String> {
        let mut names = Vec::new();
        let mut rest = path;
        loop {
            match rest {
                Expr::Property(prop, _) => {
                    names.push(prop.2.as_str());
                    break;
                }
                Expr::Dot(chain, flags, _) if !flags.contains(rhai::ASTFlags::NEGATED) => {
                    let Expr::Property(prop, _) = &chain.lhs else {
                        return unsupported("`settings` other than a path of properties");
                    };
                    names.push(prop.2.as_str());
                    rest = &chain.rhs;
                }
                _ => return unsupported("`settings` other than a path of properties"),
            }
        }
        let missing = || format!("it reads `settings.{}`, which is not a setting", names.join("."));
        let (last, parents) = names.split_last().expect("a path has a property");
        let mut map = self.constants.settings.clone().ok_or_else(missing)?;
        for name in parents {
            map = map
                .get(*name)
                .and_then(|v| v.clone().try_cast::<rhai::Map>())
                .ok_or_else(missing)?;
        }
        let value = map.get(*last).ok_or_else(missing)?.clone();
        self.dynamic_constant(&value)
    }

    fn string_constant(&mut self, text: &str) -> V {
        let index = self.consts.iter().position(|c| c == text).unwrap_or_else(|| {
            self.consts.push(text.to_owned());
            self.consts.len() - 1
        }) as u32;
        V::Str(StrRef::Const(index))
    }

    fn dynamic_constant(&mut self, value: &Dynamic) -> Result<Operand, String> {
        let constant = if let Ok(f) = value.as_float() {
            V::Float(f)
        } else if let Ok(i) = value.as_int() {
            V::Int(i)
        } else if let Ok(b) = value.as_bool() {
            V::Bool(b)
        } else if value.is_unit() {
            V::Unit
        } else if value.is_string() {
            self.string_constant(&value.clone().into_string().unwrap_or_default())
        } else {
            return unsupported(format!("a constant of type {}", value.type_name()));
        };
        Ok(Operand::Const(constant))
    }

    /// A function call or operator: `note`, `print` and `debug` bail (a note is text for
    /// people: the rows that reach one run in the interpreter, which writes it; every other
    /// row stays on the fast path), but for a [`Compiler::quiet_note`]; the rest is
    /// [`Compiler::function`].
    fn call(&mut self, name: &str, args: &[Expr], plain: bool) -> Result<Operand, String> {
        if !plain {
            return unsupported(format!("the namespaced function `{name}`"));
        }
        if let ("note", [text]) = (name, args) {
            if let Some(note) = self.quiet_note(text) {
                return Ok(Operand::Node(note));
            }
        }
        if matches!(name, "note" | "print" | "debug") {
            return Ok(Operand::Node(node(|_| Err(Flow::Bail))));
        }
        self.function(name, args)
    }

    /// `note(text)` where `text` is a string or an interpolated string whose values all
    /// compile: with [`Inputs::quiet`], it works out the values and gives `()` (unless the
    /// text could outgrow the sandbox's longest string, where the interpreter would fail);
    /// otherwise it bails. `None` for any other note.
    fn quiet_note(&mut self, text: &Expr) -> Option<Node> {
        /// The longest text rhai writes for a number, a boolean or `()`, with room to spare.
        const SHOWN: usize = 32;
        let max = super::script::Limits::default().max_string_size;
        let mut literal = 0;
        let mut values = Vec::new();
        match text {
            Expr::StringConstant(text, _) => literal = text.len(),
            Expr::InterpolatedString(parts, _) => {
                for part in parts.iter() {
                    match part {
                        Expr::StringConstant(text, _) => literal += text.len(),
                        value => values.push(self.operand(value).ok()?),
                    }
                }
            }
            _ => return None,
        }
        Some(node(move |frame| {
            if !frame.inputs.quiet {
                return Err(Flow::Bail);
            }
            let mut size = literal;
            for value in &values {
                size += match value.get(frame)? {
                    V::Str(text) => frame.text(text).len(),
                    _ => SHOWN,
                };
            }
            if size > max {
                return Err(Flow::Bail);
            }
            Ok(V::Unit)
        }))
    }

    // Kept whole: a dispatch table, one match arm per supported rhai function or operator.
    fn function(&mut self, name: &str, args: &[Expr]) -> Result<Operand, String> {
        let mut nodes: Vec<Operand> =
            args.iter().map(|a| self.operand(a)).collect::<Result<_, _>>()?;
        if let Some(op) = kernel_op(name, nodes.len()) {
            if nodes.iter().any(Operand::never_int) {
                return Ok(Operand::Kernel(Kernel::new(nodes, op)));
            }
        }
        let node = match (name, nodes.len()) {
            (_, 2) if binary_op(name).is_some() => {
                let op = binary_op(name).expect("checked");
                let rhs = nodes.pop().expect("two");
                let lhs = nodes.pop().expect("two");
                Ok(node(move |frame| {
                    let (a, b) = (lhs.get(frame)?, rhs.get(frame)?);
                    op(frame, a, b)
                }))
            }
            ("-" | "+" | "!", 1) => {
                let arg = nodes.pop().expect("one");
                let negate = name == "-";
                let not = name == "!";
                Ok(node(move |frame| match arg.get(frame)? {
                    V::Bool(b) if not => Ok(V::Bool(!b)),
                    V::Int(i) if negate => i.checked_neg().map(V::Int).ok_or(Flow::Bail),
                    V::Float(f) if negate => Ok(V::Float(-f)),
                    v @ (V::Int(_) | V::Float(_)) if !not && !negate => Ok(v),
                    _ => Err(Flow::Bail),
                }))
            }
            ("min" | "max", 2) => {
                let rhs = nodes.pop().expect("two");
                let lhs = nodes.pop().expect("two");
                Ok(min_max(name == "min", lhs, rhs))
            }
            ("abs", 1) => {
                let arg = nodes.pop().expect("one");
                Ok(node(move |frame| match arg.get(frame)? {
                    V::Int(i) => i.checked_abs().map(V::Int).ok_or(Flow::Bail),
                    V::Float(f) => Ok(V::Float(f.abs())),
                    _ => Err(Flow::Bail),
                }))
            }
            ("floor" | "ceiling" | "round" | "sqrt" | "exp" | "ln" | "log", 1) => {
                let f: fn(f64) -> f64 = match name {
                    "floor" => f64::floor,
                    "ceiling" => f64::ceil,
                    "round" => f64::round,
                    "sqrt" => f64::sqrt,
                    "exp" => f64::exp,
                    "ln" => f64::ln,
                    _ => f64::log10,
                };
                let arg = nodes.pop().expect("one");
                Ok(node(move |frame| match arg.get(frame)? {
                    V::Float(x) => Ok(V::Float(f(x))),
                    _ => Err(Flow::Bail),
                }))
            }
            ("to_float", 1) => {
                let arg = nodes.pop().expect("one");
                Ok(node(move |frame| match arg.get(frame)? {
                    V::Float(x) => Ok(V::Float(x)),
                    V::Int(i) => Ok(V::Float(i as f64)),
                    _ => Err(Flow::Bail),
                }))
            }
            ("has", 1) => {
                let arg = nodes.pop().expect("one");
                Ok(node(move |frame| Ok(V::Bool(arg.get(frame)? != V::Unit))))
            }
            ("ratio", 2) => {
                let rhs = nodes.pop().expect("two");
                let lhs = nodes.pop().expect("two");
                Ok(node(move |frame| match (lhs.get(frame)?, rhs.get(frame)?) {
                    (V::Float(a), V::Float(b)) => Ok(V::Float(super::script::ratio(a, b))),
                    _ => Err(Flow::Bail),
                }))
            }
            ("clamp", 3) => {
                let hi = nodes.pop().expect("three");
                let lo = nodes.pop().expect("three");
                let x = nodes.pop().expect("three");
                Ok(node(move |frame| match (x.get(frame)?, lo.get(frame)?, hi.get(frame)?) {
                    (V::Float(x), V::Float(lo), V::Float(hi)) => {
                        Ok(V::Float(super::script::clamp(x, lo, hi)))
                    }
                    _ => Err(Flow::Bail),
                }))
            }
            _ => unsupported(format!("`{name}` with {} arguments", nodes.len())),
        };
        node.map(Operand::Node)
    }
}

/// The kernel step of an operator or function of `arity` arguments, if it has one.
fn kernel_op(name: &str, arity: usize) -> Option<Op> {
    Some(match (name, arity) {
        ("+", 2) => Op::Add,
        ("-", 2) => Op::Sub,
        ("*", 2) => Op::Mul,
        ("/", 2) => Op::Div,
        ("%", 2) => Op::Rem,
        ("**", 2) => Op::Pow,
        ("-", 1) => Op::Neg,
        ("min", 2) => Op::Min,
        ("max", 2) => Op::Max,
        _ => return None,
    })
}

/// rhai's `min` or `max`: of two integers an integer, else a float.
fn min_max(is_min: bool, lhs: Operand, rhs: Operand) -> Node {
    node(move |frame| {
        let (a, b) = (lhs.get(frame)?, rhs.get(frame)?);
        match (a, b) {
            (V::Int(x), V::Int(y)) => Ok(V::Int(if is_min == (x <= y) { x } else { y })),
            _ => Ok(V::Float(pick(is_min, num(a)?, num(b)?))),
        }
    })
}

type BinaryOp = fn(&Frame, V, V) -> Result<V, Flow>;

fn num(v: V) -> Result<f64, Flow> {
    match v {
        V::Float(f) => Ok(f),
        V::Int(i) => Ok(i as f64),
        _ => Err(Flow::Bail),
    }
}

fn binary_op(name: &str) -> Option<BinaryOp> {
    Some(match name {
        "+" => |_, a, b| arith(a, b, i64::checked_add, |x, y| x + y),
        "-" => |_, a, b| arith(a, b, i64::checked_sub, |x, y| x - y),
        "*" => |_, a, b| arith(a, b, i64::checked_mul, |x, y| x * y),
        "/" => |_, a, b| arith(a, b, i64::checked_div, |x, y| x / y),
        "%" => |_, a, b| arith(a, b, i64::checked_rem, |x, y| x % y),
        "**" => |_, a, b| match (a, b) {
            (V::Int(x), V::Int(y)) => {
                u32::try_from(y).ok().and_then(|y| x.checked_pow(y)).map(V::Int).ok_or(Flow::Bail)
            }
            (V::Float(x), V::Int(y)) => Ok(V::Float(x.powf(y as f64))),
            (V::Int(x), V::Float(y)) => Ok(V::Float((x as f64).powf(y))),
            (V::Float(x), V::Float(y)) => Ok(V::Float(x.powf(y))),
            _ => Err(Flow::Bail),
        },
        "==" => |frame, a, b| compare(frame, a, b, Cmp::Eq),
        "!=" => |frame, a, b| compare(frame, a, b, Cmp::Ne),
        "<" => |frame, a, b| compare(frame, a, b, Cmp::Lt),
        "<=" => |frame, a, b| compare(frame, a, b, Cmp::Le),
        ">" => |frame, a, b| compare(frame, a, b, Cmp::Gt),
        ">=" => |frame, a, b| compare(frame, a, b, Cmp::Ge),
        _ => return None,
    })
}

fn arith(
    a: V,
    b: V,
    int: fn(i64, i64) -> Option<i64>,
    float: fn(f64, f64) -> f64,
) -> Result<V, Flow> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => int(x, y).map(V::Int).ok_or(Flow::Bail),
        (V::Float(x), V::Float(y)) => Ok(V::Float(float(x, y))),
        (V::Float(x), V::Int(y)) => Ok(V::Float(float(x, y as f64))),
        (V::Int(x), V::Float(y)) => Ok(V::Float(float(x as f64, y))),
        _ => Err(Flow::Bail),
    }
}

#[derive(Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// rhai's comparison rules: epsilon-relative for floats, exact for integers, and a fixed
/// answer when the two sides are of different, non-numeric types.
fn compare(frame: &Frame, a: V, b: V, cmp: Cmp) -> Result<V, Flow> {
    let numeric = |v: V| matches!(v, V::Int(_) | V::Float(_));
    let result = match (a, b) {
        (V::Int(x), V::Int(y)) => match cmp {
            Cmp::Eq => x == y,
            Cmp::Ne => x != y,
            Cmp::Lt => x < y,
            Cmp::Le => x <= y,
            Cmp::Gt => x > y,
            Cmp::Ge => x >= y,
        },
        (V::Float(_) | V::Int(_), V::Float(_) | V::Int(_)) => float_compare(num(a)?, num(b)?, cmp),
        (V::Unit, V::Unit) => matches!(cmp, Cmp::Eq),
        (V::Bool(x), V::Bool(y)) => match cmp {
            Cmp::Eq => x == y,
            Cmp::Ne => x != y,
            _ => return Err(Flow::Bail),
        },
        (V::Str(x), V::Str(y)) => {
            let (x, y) = (frame.text(x), frame.text(y));
            match cmp {
                Cmp::Eq => x == y,
                Cmp::Ne => x != y,
                _ => return Err(Flow::Bail),
            }
        }
        _ if !numeric(a) || !numeric(b) => matches!(cmp, Cmp::Ne),
        _ => return Err(Flow::Bail),
    };
    Ok(V::Bool(result))
}

/// rhai's float comparisons (its `builtin.rs`, checked build), to the letter.
fn float_compare(x: f64, y: f64, cmp: Cmp) -> bool {
    let max = if x * y == 0.0 { 1.0 } else { x.abs().max(y.abs()) };
    if max == 0.0 {
        return matches!(cmp, Cmp::Eq | Cmp::Ge | Cmp::Le);
    }
    match cmp {
        Cmp::Eq => (x - y).abs() / max <= f64::EPSILON,
        Cmp::Ne => (x - y).abs() / max > f64::EPSILON,
        Cmp::Gt => (x - y) / max > f64::EPSILON,
        Cmp::Ge => (x - y) / max > -f64::EPSILON,
        Cmp::Lt => (y - x) / max > f64::EPSILON,
        Cmp::Le => (y - x) / max > -f64::EPSILON,
    }
}

impl Frame<'_, '_> {
    fn text(&self, s: StrRef) -> &str {
        match s {
            StrRef::Input(slot) => self.inputs.strings[usize::from(slot)],
            StrRef::Const(index) => &self.consts[index as usize],
        }
    }
}
