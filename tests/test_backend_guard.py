"""Guards that keep the library runnable on the GPU, checked on the CPU.

The NumPy backend hides two kinds of mistakes that only a GPU run would show:

1. **Bypassing the backend**: ``numpy.zeros(...)`` (or ``np.exp``, ``np.add.at``...)
   on data inside the computation code makes a *host* array, which CuPy
   refuses to mix with its GPU arrays.  The code must ask the inputs for their
   module: ``xp = array_module(x); xp.zeros(...)``.
2. **Host transfers in a hot path**: ``.get()``, ``to_numpy``, ``.item()``,
   ``float(array)`` inside ``Function.forward/backward``, ``Module.forward`` or
   ``Optimizer.step/update`` copy the array to the host and make Python wait
   for the GPU at every op.

The static tests read the source (``ast``) and name file:line with what to
use instead.  The runtime tests train a small conv net, the GAN, the VAE and
the trainers for one step on a *fake GPU* (``tests/fake_cupy.py``: NumPy
arrays that the backend takes for CuPy arrays and that refuse host arrays and
host transfers), with hooks checking that every op's inputs, output and
gradients stay on the device.
"""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path

import fake_cupy
import numpy as np
import pytest

import nn_from_scratch as nf

PACKAGE = Path(nf.__file__).resolve().parent
# the module, not the nf.tensor() factory that shadows it as an attribute of the package
tensor_module = importlib.import_module("nn_from_scratch.tensor")

# The computation code: everything that runs on tensors' data.  (data/, viz.py,
# metrics.py, debug.py and training/ work on host data by design: the loader
# yields NumPy batches, images are drawn and metrics reported on the host; they
# are only held to "no cupy import" below, and the runtime tests run the
# training steps on the fake GPU.)
COMPUTATION_PATHS = ["tensor.py", "random_numbers.py", "functional", "fast", "nn", "optim", "models"]

# numpy attributes whose *calls* are fine anywhere: dtypes, type checks and
# dtype arithmetic (no array is created or read).
DTYPE_CALLS = {
    "dtype", "finfo", "iinfo", "issubdtype", "promote_types", "can_cast", "isscalar",
    "bool_", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64", "intp",
}

# Host-only code paths in the computation files, each with the reason it may
# use NumPy directly.  Key: "file::function::numpy.name" (file relative to the
# package, function as Class.method, "<module>" for module level).  An entry
# that no longer matches any code fails the test, so the list stays true.
HOST_ONLY_NUMPY = {
    # The Tensor constructor turns the caller's host data (a NumPy scalar or
    # array) into an array before moving it to the current device.
    "tensor.py::_to_array::numpy.asarray": "host input, moved with to_device right after",
    # Printing works on a host copy made with to_numpy.
    "tensor.py::Tensor.__repr__::numpy.array2string": "formats a host copy (to_numpy)",
    # Initial weights are drawn on the host on purpose (the same values on the
    # CPU and the GPU for a seed), then copied to the device by _fill.
    "random_numbers.py::<module>::numpy.random.default_rng": "host generator of initial weights",
    "nn/init.py::manual_seed::numpy.random.default_rng": "host generator of initial weights",
    "nn/init.py::_fill::numpy.asarray": "host values, moved with to_device right after",
    # State dicts come from files or from PyTorch (host data); CuPy values are
    # recognised with is_cupy_array before and kept as they are.
    "nn/module.py::Module.load_state_dict::numpy.asarray": "host state dict values (files, PyTorch)",
    "nn/module.py::read_state_file::numpy.load": "file input, moved to the device by load_state_dict",
    "models/classifier.py::evaluation_classifier::numpy.load": "the shipped weights file, moved to the device by "
                                                              "load_state_dict",
    "nn/module.py::Module.summary::numpy.zeros": "one host batch of zeros, moved with to_device",
    # Optimizer state dicts are host snapshots for checkpoints (to_numpy), and
    # load_state_dict moves the arrays back with to_device.
    "optim/optimizer.py::Optimizer.state_dict::numpy.asarray": "hyperparameters (Python numbers) to save",
    "optim/optimizer.py::Optimizer.load_state_dict::numpy.asarray": "host copies (to_numpy) of saved values, checked",
    "optim/optimizer.py::Optimizer.state_dict::numpy.array": "host copy of a state array (to_numpy)",
}

# Host transfers that are allowed in a hot path, with the reason.  Same key
# format, with the transfer instead of the numpy function.
HOT_PATH_TRANSFERS = {
    # Only with momentum=None (the cumulative average), which PyTorch also
    # computes on the host; the default exponential average never gets here.
    "nn/normalization.py::_BatchNorm.forward::int()": "num_batches_tracked with momentum=None only",
}

HOST_TRANSFER_METHODS = {"get", "item", "tolist", "numpy", "asnumpy"}
HOST_TRANSFER_FUNCTIONS = {"to_numpy", "asnumpy"}
REDUCTION_METHODS = {"sum", "mean", "max", "min", "any", "all", "prod", "std", "var", "dot", "norm"}
ARRAY_MODULE_FACTORIES = {"array_module", "xp_for_new_arrays", "_require_cupy"}


# --------------------------------------------------------------------------
# Reading the source
# --------------------------------------------------------------------------


def source_files(paths) -> list:
    files = []
    for relative in paths:
        path = PACKAGE / relative
        if path.is_dir():
            files += sorted(path.rglob("*.py"))
        elif path.is_file():
            files.append(path)
    return files


def where(path: Path, node) -> str:
    return f"nn_from_scratch/{path.relative_to(PACKAGE).as_posix()}:{node.lineno}"


def dotted_name(node):
    """"numpy.random.default_rng" for the expression numpy.random.default_rng, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class FileScan(ast.NodeVisitor):
    """One pass over a file: the qualified function name at each node, numpy aliases, classes."""

    def __init__(self, path: Path, source: str | None = None):
        self.path = path
        self.relative = path.relative_to(PACKAGE).as_posix()
        self.tree = ast.parse(path.read_text() if source is None else source, filename=str(path))
        self.numpy_names = {}          # local name -> "numpy" or "numpy.<attr>" (from-imports)
        self.cupy_imports = []         # line numbers
        self.calls = []                # (qualname, class bases or None, function name, ast.Call)
        self.classes = {}              # class name -> [base names]
        self.stack = []                # [(kind, name, bases)]
        self.visit(self.tree)

    def qualname(self) -> str:
        names = [name for _, name, _ in self.stack]
        return ".".join(names) if names else "<module>"

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name == "numpy" or alias.name.startswith("numpy."):
                self.numpy_names[(alias.asname or alias.name).split(".")[0]] = "numpy"
            if alias.name == "cupy" or alias.name.startswith(("cupy.", "cupyx")):
                self.cupy_imports.append(node.lineno)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if module == "numpy" or module.startswith("numpy."):
            for alias in node.names:
                self.numpy_names[alias.asname or alias.name] = f"{module}.{alias.name}"
        if module == "cupy" or module.startswith(("cupy.", "cupyx")):
            self.cupy_imports.append(node.lineno)

    def visit_ClassDef(self, node):
        bases = [dotted_name(base) or "" for base in node.bases]
        self.classes[node.name] = [base.split(".")[-1] for base in bases]
        self.stack.append(("class", node.name, self.classes[node.name]))
        self.generic_visit(node)
        self.stack.pop()

    def visit_FunctionDef(self, node):
        self.stack.append(("function", node.name, None))
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        self.calls.append((self.qualname(), self.enclosing_method(), node))
        self.generic_visit(node)

    def enclosing_method(self):
        """(class name, method name) of the method this node is in (nested functions included), or None."""
        for index, (kind, name, _) in enumerate(self.stack):
            if kind == "class" and index + 1 < len(self.stack) and self.stack[index + 1][0] == "function":
                return name, self.stack[index + 1][1]
        return None

    def numpy_call(self, call):
        """"numpy.zeros" when ``call`` calls a numpy function (through any alias), else None."""
        name = dotted_name(call.func)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head not in self.numpy_names:
            return None
        full = self.numpy_names[head] + (f".{rest}" if rest else "")
        return full if full != "numpy" else None


def scan(paths):
    return [_scan_file(path, path.stat().st_mtime_ns) for path in source_files(paths)]


@functools.cache
def _scan_file(path: Path, mtime_ns: int) -> FileScan:
    return FileScan(path)


def subclasses_of(scans, roots: set) -> set:
    """Names of the classes (in all scanned files) that derive from one of ``roots``, roots included."""
    known = set(roots)
    changed = True
    while changed:
        changed = False
        for file_scan in scans:
            for name, bases in file_scan.classes.items():
                if name not in known and any(base in known for base in bases):
                    known.add(name)
                    changed = True
    return known


def hot_path(method, functions: set, modules: set, optimizers: set) -> bool:
    """True for Function.forward/backward, Module.forward and Optimizer.step/update."""
    if method is None:
        return False
    class_name, method_name = method
    return ((class_name in functions and method_name in ("forward", "backward"))
            or (class_name in modules and method_name == "forward")
            or (class_name in optimizers and method_name in ("step", "update")))


def host_transfer(call):
    """The name of the host transfer ``call`` makes ("to_numpy", ".get()", "float()"...), or None."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in HOST_TRANSFER_METHODS:
        if func.attr == "get" and (call.args or call.keywords):
            return None                                    # dict.get(key)
        return f".{func.attr}()"
    if isinstance(func, ast.Name) and func.id in HOST_TRANSFER_FUNCTIONS:
        return f"{func.id}()"
    if isinstance(func, ast.Attribute) and func.attr in HOST_TRANSFER_FUNCTIONS:
        return f"{func.attr}()"
    if isinstance(func, ast.Name) and func.id in ("float", "int", "bool") and call.args:
        if _looks_like_an_array(call.args[0]):
            return f"{func.id}()"
    return None


def _looks_like_an_array(expression) -> bool:
    """float(x.data), int(t.grad), float(g.sum()): the argument reads a tensor's array or reduces one."""
    for node in ast.walk(expression):
        if isinstance(node, ast.Attribute) and node.attr in ("data", "grad"):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in REDUCTION_METHODS:
            return True
    return False


# --------------------------------------------------------------------------
# Static guards
# --------------------------------------------------------------------------


def test_the_guard_scans_the_computation_code():
    names = {path.relative_to(PACKAGE).as_posix() for path in source_files(COMPUTATION_PATHS)}
    for expected in ("tensor.py", "functional/conv.py", "fast/conv.py", "functional/arithmetic.py", "nn/module.py"):
        assert expected in names, f"the backend guard no longer scans {expected}: update COMPUTATION_PATHS"


def test_only_backend_py_imports_cupy():
    problems = [f"nn_from_scratch/{file_scan.relative}:{line}: imports cupy; only backend.py may: get the "
                "array module from the inputs (xp = array_module(x)) or the current backend "
                "(backend.xp_for_new_arrays())"
                for file_scan in scan(["."]) if file_scan.relative != "backend.py"
                for line in file_scan.cupy_imports]
    assert not problems, "\n".join(problems)


def numpy_bypasses(scans, allowed: dict) -> list:
    """One message per numpy call on data outside ``allowed``, plus one per stale ``allowed`` entry."""
    problems, used_allowances = [], set()
    for file_scan in scans:
        for qualname, _, call in file_scan.calls:
            name = file_scan.numpy_call(call)
            if name is None or name.split(".")[-1] in DTYPE_CALLS and name.count(".") == 1:
                continue
            key = f"{file_scan.relative}::{qualname}::{name}"
            if key in allowed:
                used_allowances.add(key)
                continue
            function = name.split(".", 1)[1]
            problems.append(
                f"{where(file_scan.path, call)}: {name}(...) in {qualname} bypasses the backend (on the GPU "
                f"it makes a host array that CuPy refuses): use xp = array_module(x); xp.{function}(...) "
                f"(or backend.xp_for_new_arrays().{function} for new arrays); if this is host-only code, "
                f"add '{key}' with the reason to HOST_ONLY_NUMPY in tests/test_backend_guard.py"
            )
    problems += [f"HOST_ONLY_NUMPY entry {key!r} matches no code any more: remove it from "
                 "tests/test_backend_guard.py" for key in sorted(set(allowed) - used_allowances)]
    return problems


def test_computation_code_does_not_call_numpy_on_data():
    problems = numpy_bypasses(scan(COMPUTATION_PATHS), HOST_ONLY_NUMPY)
    assert not problems, "\n".join(problems)


def hot_path_transfers(scans, allowed: dict) -> list:
    """One message per host transfer in a hot path outside ``allowed``, plus one per stale entry."""
    functions = subclasses_of(scans, {"Function"})
    modules = subclasses_of(scans, {"Module"})
    optimizers = subclasses_of(scans, {"Optimizer"})
    problems, used_allowances = [], set()
    for file_scan in scans:
        for qualname, method, call in file_scan.calls:
            # the fast kernels' optimizer updates (fast/optimizers.py) are functions, not methods
            fast_update = file_scan.relative.startswith("fast/") and qualname.split(".")[0].endswith("_update")
            if not (fast_update or hot_path(method, functions, modules, optimizers)):
                continue
            transfer = host_transfer(call)
            if transfer is None:
                continue
            key = f"{file_scan.relative}::{'.'.join(method or (qualname,))}::{transfer}"
            if key in allowed:
                used_allowances.add(key)
                continue
            problems.append(
                f"{where(file_scan.path, call)}: {transfer} in {qualname} copies an array to the host (and waits "
                "for the GPU) at every call: keep the value on the device with xp = array_module(x) and "
                "xp.<function>, or move the transfer out of the hot path; if it must stay, add "
                f"'{key}' with the reason to HOT_PATH_TRANSFERS in tests/test_backend_guard.py"
            )
    problems += [f"HOT_PATH_TRANSFERS entry {key!r} matches no code any more: remove it from "
                 "tests/test_backend_guard.py" for key in sorted(set(allowed) - used_allowances)]
    return problems


def test_no_host_transfers_in_forward_backward_or_optimizer_step():
    scans = scan(COMPUTATION_PATHS)
    assert {"MulFunction", "Conv2dFunction"} <= subclasses_of(scans, {"Function"})
    assert "Linear" in subclasses_of(scans, {"Module"}) and "Adam" in subclasses_of(scans, {"Optimizer"})
    problems = hot_path_transfers(scans, HOT_PATH_TRANSFERS)
    assert not problems, "\n".join(problems)


BAD_CODE = """
import numpy as np
from numpy import zeros
from ..tensor import Function
from ..backend import to_numpy

class Scale(Function):
    def forward(self, x):
        self.factor = float(x.max())          # line 9: a host transfer
        return x * np.float32(2)              # fine: a dtype
    def backward(self, g):
        grad = zeros(g.shape)                 # line 12: numpy through a from-import
        return to_numpy(g) * self.factor      # line 13: a host transfer

class Momentum(Scale):
    def backward(self, g):
        return np.add(g, 1).get()             # line 17: numpy, and .get() in an inherited Function

def helper(x):
    return np.exp(x)                          # line 20: numpy outside any class
"""


def test_the_static_guards_report_file_line_and_what_to_use():
    bad = FileScan(PACKAGE / "functional" / "bad_example.py", source=BAD_CODE)
    numpy_problems = numpy_bypasses([bad], {"functional/bad_example.py::nowhere::numpy.exp": "stale"})
    assert [p.split(":")[1] for p in numpy_problems[:3]] == ["12", "17", "20"]
    assert "nn_from_scratch/functional/bad_example.py:12: numpy.zeros(...) in Scale.backward" in numpy_problems[0]
    assert "use xp = array_module(x); xp.zeros(...)" in numpy_problems[0]
    assert "matches no code any more" in numpy_problems[3] and len(numpy_problems) == 4
    transfer_problems = hot_path_transfers([bad], {})
    assert [(p.split(":")[1], p.split(" ")[1]) for p in transfer_problems] == [
        ("9", "float()"), ("13", "to_numpy()"), ("17", ".get()")]
    assert "xp = array_module(x)" in transfer_problems[0]


def array_module_attributes() -> dict:
    """Every ``xp.a.b`` the library uses, as {("a", "b"): "file:line"}.

    ``xp`` is any name assigned from array_module(...), xp_for_new_arrays() or
    _require_cupy() (or named ``xp``), or such a call itself:
    ``array_module(x).where(...)``.
    """
    used = {}
    for file_scan in scan(["."]):
        if file_scan.relative == "backend.py":
            continue
        module_names = {"xp"}
        for node in ast.walk(file_scan.tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                factory = dotted_name(node.value.func)
                if factory and factory.split(".")[-1] in ARRAY_MODULE_FACTORIES:
                    module_names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(file_scan.tree):
            if not isinstance(node, ast.Attribute):
                continue
            chain, base = [], node
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            is_module = isinstance(base, ast.Name) and base.id in module_names
            is_factory_call = isinstance(base, ast.Call) and (dotted_name(base.func) or "").split(".")[-1] \
                in ARRAY_MODULE_FACTORIES
            if is_module or is_factory_call:
                used.setdefault(tuple(reversed(chain)), where(file_scan.path, node))
    # keep the longest chains only: ("lib", "stride_tricks", "as_strided") covers ("lib",)
    return {chain: place for chain, place in used.items()
            if not any(other[:len(chain)] == chain and other != chain for other in used)}


def _missing(module, chain) -> bool:
    value = module
    for name in chain:
        if not hasattr(value, name):
            return True
        value = getattr(value, name)
    return False


def test_every_xp_function_used_exists_in_numpy():
    used = array_module_attributes()
    assert ("lib", "stride_tricks", "as_strided") in used or any(c[0] == "zeros" for c in used)
    missing = [f"{place}: xp.{'.'.join(chain)} does not exist in NumPy" for chain, place in used.items()
               if _missing(np, chain)]
    assert not missing, "\n".join(missing)


def test_every_xp_function_used_exists_in_cupy():
    """Needs only CuPy installed (no GPU): its module and ufunc objects exist without a device."""
    try:
        import cupy
    except Exception as error:          # ImportError, or a CUDA library that fails to load
        pytest.skip(f"CuPy cannot be imported here ({type(error).__name__}: {error})")
    used = array_module_attributes()
    missing = [f"{place}: xp.{'.'.join(chain)} does not exist in CuPy {cupy.__version__}; use a function both "
               "modules have (or branch on backend.is_cupy_array)" for chain, place in used.items()
               if _missing(cupy, chain)]
    assert not missing, "\n".join(missing)


# --------------------------------------------------------------------------
# Runtime guard: one training step on the fake GPU
# --------------------------------------------------------------------------


@pytest.fixture
def fake_gpu():
    """The fake GPU installed and made the current backend; every op checked to stay on it."""
    problems = []

    def check_forward(function, inputs, output):
        for i, array in enumerate(inputs):
            if not fake_cupy.is_device_array(array):
                problems.append(f"{type(function).__name__}.forward got input {i} of type {type(array).__name__} "
                                "(a host array) among GPU arrays")
        if not fake_cupy.is_device_array(output):
            problems.append(f"{type(function).__name__}.forward returned a {type(output).__name__}, not a GPU "
                            "array: something in it used numpy (or to_numpy) instead of xp = array_module(x)")

    def check_backward(function, grad_output, input_grads):
        for i, grad in enumerate(input_grads):
            if grad is not None and not fake_cupy.is_device_array(grad):
                problems.append(f"{type(function).__name__}.backward returned a {type(grad).__name__} as the "
                                f"gradient of input {i}, not a GPU array: use xp = array_module(g)")

    with fake_cupy.installed():
        nf.backend.use("cupy")
        tensor_module.forward_hooks.append(check_forward)
        tensor_module.backward_hooks.append(check_backward)
        try:
            yield problems
        finally:
            tensor_module.forward_hooks.remove(check_forward)
            tensor_module.backward_hooks.remove(check_backward)


def device_state_problems(named_arrays) -> list:
    return [f"{name} is a {type(array).__name__}, not a GPU array" for name, array in named_arrays
            if array is not None and not fake_cupy.is_device_array(array)]


def optimizer_arrays(optimizer):
    for key, state in optimizer.state.items():
        for name, value in state.items():
            if hasattr(value, "shape") and np.ndim(value) > 0:
                yield f"optimizer state {key}.{name}", value


OPTIMIZERS = {
    "adam": lambda params: nf.optim.Adam(params, lr=1e-3, weight_decay=1e-4),
    "adamw": lambda params: nf.optim.AdamW(params, lr=1e-3),
    "sgd_nesterov": lambda params: nf.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4),
    "rmsprop_centered": lambda params: nf.optim.RMSprop(params, lr=1e-3, momentum=0.9, centered=True),
}


@pytest.mark.parametrize("optimizer_name", sorted(OPTIMIZERS))
def test_conv_net_training_step_stays_on_the_gpu(fake_gpu, optimizer_name):
    from nn_from_scratch import nn
    from nn_from_scratch.nn import functional as F

    nn.init.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.LeakyReLU(0.2), nn.Dropout(0.25),
        nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(2 * 16 * 16, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 3),
    )
    optimizer = OPTIMIZERS[optimizer_name](model.parameters())
    rng = np.random.default_rng(0)
    images = nf.Tensor(rng.standard_normal((4, 1, 8, 8)).astype(np.float32))
    labels = nf.Tensor(rng.integers(0, 3, 4))
    assert fake_cupy.is_device_array(images.data) and images.device == "cuda"

    for _ in range(2):                     # the second step uses the optimizer state made by the first
        with fake_cupy.no_host_transfers():
            logits = model(images)
            loss = F.cross_entropy(logits, labels) + F.mse_loss(F.sigmoid(logits[:, :1]), logits[:, 1:2])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    assert not fake_gpu, "\n".join(fake_gpu)
    arrays = [(name, t.data) for name, t in model._named_state_tensors().items()]
    arrays += [(f"{name}.grad", p.grad) for name, p in model.named_parameters()]
    problems = device_state_problems(arrays + list(optimizer_arrays(optimizer)))
    assert not problems, "\n".join(problems)
    assert np.isfinite(loss.item())


def test_gan_and_vae_steps_stay_on_the_gpu(fake_gpu):
    """Conditional models (one-hot labels, label maps), strictly: no host transfer at all."""
    conditional = True
    from nn_from_scratch import models
    from nn_from_scratch.nn import functional as F

    nf.nn.init.manual_seed(0)
    classes = 10 if conditional else 0
    rng = np.random.default_rng(0)
    generator, discriminator = models.Generator(8, classes), models.Discriminator(classes)
    vae = models.VAE(4, classes)
    optimizers = [nf.optim.Adam(m.parameters(), lr=2e-4, betas=(0.5, 0.999)) for m in (generator, discriminator, vae)]
    real = nf.Tensor(rng.uniform(0, 1, (3, 1, 28, 28)).astype(np.float32))
    labels = rng.integers(0, 10, 3) if conditional else None      # host labels, as the data loader gives them

    with fake_cupy.no_host_transfers():
        noise = models.standard_normal(rng, (3, 8))
        fake = F.sigmoid(generator(noise, labels))
        d_loss = models.discriminator_loss(discriminator(real, labels), discriminator(fake.detach(), labels))
        d_loss.backward()
        optimizers[1].step()
        g_loss = models.generator_loss(discriminator(fake, labels))
        g_loss.backward()
        optimizers[0].step()
        logits, mu, logvar = vae(real, models.standard_normal(rng, (3, 4)), labels)
        vae_loss, _, _ = models.vae_loss(logits, real, mu, logvar)
        vae_loss.backward()
        optimizers[2].step()
        samples = vae.sample(models.standard_normal(rng, (2, 4)), None if labels is None else labels[:2])
    assert not fake_gpu, "\n".join(fake_gpu)
    assert fake_cupy.is_device_array(samples.data)
    for model in (generator, discriminator, vae):
        problems = device_state_problems((name, t.data) for name, t in model._named_state_tensors().items())
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("model", ["gan", "vae", "classifier"])
def test_training_steps_stay_on_the_gpu(fake_gpu, model, tmp_path):
    """Each trainer's step on loader batches (host arrays), as `train --backend cupy` runs it (unconditional:
    the conditional models are checked above).  The step reports its losses with .item(): no strict mode."""
    from nn_from_scratch.data import ImageDataset
    from nn_from_scratch.training import TrainConfig
    from nn_from_scratch.training.run import TRAINERS

    class TinyDigits(ImageDataset):
        NAME = "tiny"
        CLASSES = tuple("0123456789")

    rng = np.random.default_rng(0)

    def dataset(n, train):
        return TinyDigits(rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), np.arange(n) % 10, tmp_path, train)

    config = TrainConfig(model, batch_size=4, latent_dim=None if model == "classifier" else 6,
                         backend="cupy", out=str(tmp_path / "run"))
    trainer = TRAINERS[model](config, dataset(8, True), dataset(4, False))
    images, labels = next(iter(trainer.loader))
    assert isinstance(images, np.ndarray)                         # the loader gives host batches
    losses = trainer.train_step(images, labels)
    assert not fake_gpu, "\n".join(fake_gpu)
    assert set(losses) == set(trainer.loss_names) and all(isinstance(v, float) for v in losses.values())
    for name, module in trainer.models.items():
        problems = device_state_problems((f"{name}.{key}", t.data) for key, t in module._named_state_tensors().items())
        assert not problems, "\n".join(problems)


def test_the_fake_gpu_catches_what_a_real_one_would(fake_gpu):
    """The runtime guard is only worth something if it fails on the mistakes it is meant for."""
    x = nf.Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)

    class HostZeros(nf.Function):          # builds its output on the host: wrong on a GPU
        def forward(self, x):
            return np.zeros(x.shape, dtype=x.dtype) + 1

        def backward(self, g):
            return g

    class SyncingScale(nf.Function):       # reads a value back to the host in the hot path
        def forward(self, x):
            self.scale = float(x.max())
            return x * self.scale

        def backward(self, g):
            return g * self.scale

    HostZeros()(x)
    assert any("HostZeros.forward returned a ndarray" in p for p in fake_gpu)
    with pytest.raises(TypeError, match="NumPy \\(host\\) array"):
        x.data + np.ones(3, dtype=np.float32)
    with fake_cupy.no_host_transfers(), pytest.raises(fake_cupy.HostTransferError, match="float\\(\\)"):
        SyncingScale()(x)
    fake_gpu.clear()
