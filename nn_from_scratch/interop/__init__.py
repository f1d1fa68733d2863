"""The same model in PyTorch with one call, and back: ``to_torch``, ``from_torch``, ``export``.

    import nn_from_scratch as nf

    twin = nf.interop.to_torch(model)      # a torch.nn.Module: same weights, buffers, train/eval modes
    back = nf.interop.from_torch(twin)     # an nn_from_scratch Module again, with the same state dict

Why this is short: the library's layers already have PyTorch's class names
(``nn.Linear``, ``nn.Conv2d``...), constructor arguments and attribute names
(``in_features``, ``kernel_size``...), parameter layouts (Conv2d weight
(out, in, kh, kw), ConvTranspose2d weight (in, out, kh, kw)), buffers
(``running_mean``, ``running_var``, ``num_batches_tracked``) and state-dict keys
(``project.0.weight``).  Converting a module is three steps:

1. describe its tree as plain data, an *architecture* (:func:`architecture`):
   each layer's kind and constructor arguments, read by one small function per
   kind (``linear_arguments``...).  Each reads the attribute names the two
   libraries share, so the same function serves both directions;
2. build that architecture in the other library (:func:`torch_models.build`
   for PyTorch, :func:`build_library` here);
3. copy the state dict, the train/eval mode of every sub-module and the
   ``requires_grad`` flag of every parameter.

The models (Generator, Discriminator, VAE, Classifier) are converted layer by
layer too; their PyTorch classes, in ``torch_models.py``, only add the
conditioning and the methods (``sample``, ``encode``, ``decode``...), so every
architecture is written once, in ``nn_from_scratch/models/``.

A module the other library cannot express (a custom Module, a grouped
convolution, ``padding="same"``...) is a :class:`ConversionError` naming its
class, its dotted path in the tree and what to do.  PyTorch is an optional
extra (``pip install "torch==2.13.0"``): it is imported by the functions that
need it, never by ``import nn_from_scratch``.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from .. import backend, models, nn, random_numbers
from ..atomic_file import atomic_output, write_text_atomically

__all__ = ["ConversionError", "TorchUnavailableError", "architecture", "build_library", "export", "from_torch",
           "to_torch", "torch_source"]


class ConversionError(ValueError):
    """A module that the other library cannot represent; the message names its class and dotted path."""


class TorchUnavailableError(ImportError):
    """PyTorch is not installed."""


def import_torch():
    """The ``torch`` module, or a :class:`TorchUnavailableError` that says how to install it."""
    try:
        import torch
    except ImportError as error:
        raise TorchUnavailableError("PyTorch is not installed, and nn_from_scratch.interop needs it: "
                                    "pip install \"torch==2.13.0\" (or pip install -e \".[torch]\")") from error
    return torch


def import_torch_models():
    """The module ``torch_models`` (PyTorch's side of every conversion), importing torch first."""
    import_torch()
    from . import torch_models
    return torch_models


# --------------------------------------------------------------------------
# One function per layer kind: its constructor arguments, read from a layer of either library
# --------------------------------------------------------------------------


def linear_arguments(layer) -> dict:
    return {"in_features": int(layer.in_features), "out_features": int(layer.out_features),
            "bias": layer.bias is not None}


def _pair(value) -> tuple:
    return tuple(int(size) for size in value)


def _check_plain_convolution(layer) -> None:
    """Refuse, by name, the options of PyTorch's convolutions that the library's lack."""
    if getattr(layer, "groups", 1) != 1:
        raise ConversionError(f"groups={layer.groups}: nn_from_scratch has only groups=1")
    if getattr(layer, "padding_mode", "zeros") != "zeros":
        raise ConversionError(f"padding_mode={layer.padding_mode!r}: nn_from_scratch pads with zeros only")
    if isinstance(layer.padding, str):
        raise ConversionError(f"padding={layer.padding!r}: give the padding as numbers")


def conv2d_arguments(layer) -> dict:
    _check_plain_convolution(layer)
    return {"in_channels": int(layer.in_channels), "out_channels": int(layer.out_channels),
            "kernel_size": _pair(layer.kernel_size), "stride": _pair(layer.stride), "padding": _pair(layer.padding),
            "dilation": _pair(layer.dilation), "bias": layer.bias is not None}


def conv_transpose2d_arguments(layer) -> dict:
    return {**conv2d_arguments(layer), "output_padding": _pair(layer.output_padding)}


def batch_norm_arguments(layer) -> dict:
    momentum = None if layer.momentum is None else float(layer.momentum)
    arguments = {"num_features": int(layer.num_features), "eps": float(layer.eps), "momentum": momentum,
                 "affine": bool(layer.affine), "track_running_stats": bool(layer.track_running_stats)}
    if layer.affine and layer.bias is None:
        arguments["bias"] = False          # only when needed: older PyTorch (2.11) has no bias= for BatchNorm
    return arguments


def _pool_pair(value) -> tuple:
    """PyTorch's pooling layers keep their sizes as given, an int or a pair; the library's, as pairs."""
    return (int(value), int(value)) if isinstance(value, int) else _pair(value)


def pool2d_arguments(layer) -> dict:
    """MaxPool2d and AvgPool2d; PyTorch's options beyond the library's are refused by name."""
    unsupported = {"ceil_mode": (getattr(layer, "ceil_mode", False), False),
                   "dilation": (_pool_pair(getattr(layer, "dilation", 1)), (1, 1)),
                   "return_indices": (getattr(layer, "return_indices", False), False),
                   "count_include_pad": (getattr(layer, "count_include_pad", True), True),
                   "divisor_override": (getattr(layer, "divisor_override", None), None)}
    for name, (value, default) in unsupported.items():
        if value != default:
            raise ConversionError(f"{name}={value}: nn_from_scratch's pooling has only {name}={default}")
    return {"kernel_size": _pool_pair(layer.kernel_size), "stride": _pool_pair(layer.stride),
            "padding": _pool_pair(layer.padding)}


def layer_norm_arguments(layer) -> dict:
    arguments = {"normalized_shape": tuple(int(size) for size in layer.normalized_shape), "eps": float(layer.eps),
                 "elementwise_affine": bool(layer.elementwise_affine)}
    if layer.elementwise_affine and layer.bias is None:
        arguments["bias"] = False          # only when needed, as for BatchNorm
    return arguments


def dropout_arguments(layer) -> dict:
    return {"p": float(layer.p)}


def leaky_relu_arguments(layer) -> dict:
    return {"negative_slope": float(layer.negative_slope)}


def no_arguments(layer) -> dict:
    return {}


def flatten_arguments(layer) -> dict:
    return {"start_dim": int(layer.start_dim), "end_dim": int(layer.end_dim)}


def unflatten_arguments(layer) -> dict:
    return {"dim": int(layer.dim), "unflattened_size": tuple(int(size) for size in layer.unflattened_size)}


def upsample_arguments(layer) -> dict:
    """nn_from_scratch's Upsample: mode "nearest", one integer scale factor for height and width."""
    factors = layer.scale_factor if isinstance(layer.scale_factor, tuple) else (layer.scale_factor,)
    if layer.mode != "nearest" or getattr(layer, "size", None) is not None or factors[0] is None:
        raise ConversionError(f"mode={layer.mode!r}, size={getattr(layer, 'size', None)}: nn_from_scratch's "
                              "Upsample has mode='nearest' with a scale_factor only")
    if len(set(factors)) != 1 or float(factors[0]) != int(factors[0]):
        raise ConversionError(f"scale_factor={layer.scale_factor}: nn_from_scratch's Upsample takes one integer")
    return {"scale_factor": int(factors[0]), "mode": "nearest"}


# kind (the class name, the same in nn_from_scratch.nn and torch.nn): (the library's class, its arguments)
LAYERS = {
    "Linear": (nn.Linear, linear_arguments),
    "Conv2d": (nn.Conv2d, conv2d_arguments),
    "ConvTranspose2d": (nn.ConvTranspose2d, conv_transpose2d_arguments),
    "BatchNorm1d": (nn.BatchNorm1d, batch_norm_arguments),
    "BatchNorm2d": (nn.BatchNorm2d, batch_norm_arguments),
    "LayerNorm": (nn.LayerNorm, layer_norm_arguments),
    "MaxPool2d": (nn.MaxPool2d, pool2d_arguments),
    "AvgPool2d": (nn.AvgPool2d, pool2d_arguments),
    "Dropout": (nn.Dropout, dropout_arguments),
    "ReLU": (nn.ReLU, no_arguments),
    "LeakyReLU": (nn.LeakyReLU, leaky_relu_arguments),
    "Sigmoid": (nn.Sigmoid, no_arguments),
    "Tanh": (nn.Tanh, no_arguments),
    "Flatten": (nn.Flatten, flatten_arguments),
    "Unflatten": (nn.Unflatten, unflatten_arguments),
    "Upsample": (nn.Upsample, upsample_arguments),
}
CONTAINERS = {"Sequential": nn.Sequential, "ModuleList": nn.ModuleList}


# --------------------------------------------------------------------------
# The models: their constructor arguments (the same attributes in both libraries), and back
# --------------------------------------------------------------------------


def generator_arguments(model) -> dict:
    return {"latent_dim": int(model.latent_dim), "num_classes": int(model.num_classes),
            "architecture": str(model.architecture)}


def discriminator_arguments(model) -> dict:
    return {"num_classes": int(model.num_classes), "kernel_size": int(model.kernel_size),
            "hidden_units": int(model.hidden_units)}


def vae_arguments(model) -> dict:
    return {"latent_dim": int(model.latent_dim), "num_classes": int(model.num_classes)}


def classifier_arguments(model) -> dict:
    return {"num_classes": int(model.num_classes)}


def library_discriminator(num_classes: int, kernel_size: int, hidden_units: int) -> models.Discriminator:
    return models.Discriminator(num_classes, kernel_size, hidden=hidden_units)


# kind: (the library's class, its arguments, the library's constructor taking those arguments)
MODELS = {
    "Generator": (models.Generator, generator_arguments, models.Generator),
    "Discriminator": (models.Discriminator, discriminator_arguments, library_discriminator),
    "VAE": (models.VAE, vae_arguments, models.VAE),
    "Classifier": (models.Classifier, classifier_arguments, models.Classifier),
}


# --------------------------------------------------------------------------
# Architectures: a module tree of either library as plain data
# --------------------------------------------------------------------------


def _library_kinds() -> dict:
    kinds = {library_class: kind for kind, (library_class, _) in LAYERS.items()}
    kinds.update({library_class: kind for kind, library_class in CONTAINERS.items()})
    kinds.update({library_class: kind for kind, (library_class, _, _) in MODELS.items()})
    return kinds


def _torch_kinds() -> dict:
    torch_models = import_torch_models()
    kinds = {torch_class: kind for kind, torch_class in torch_models.LAYERS.items()}
    kinds.update({torch_models.CONTAINERS[kind]: kind for kind in CONTAINERS})
    kinds.update({torch_class: kind for kind, torch_class in torch_models.MODELS.items()})
    return kinds


def _is_torch_module(module) -> bool:
    return "torch" in sys.modules and isinstance(module, sys.modules["torch"].nn.Module)


def _where(path: str) -> str:
    return f"'{path}'" if path else "the top of the tree"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def architecture(module) -> dict:
    """The plain-data description of a module tree of nn_from_scratch or of PyTorch (see torch_models.py).

    Raises :class:`ConversionError`, naming the module and its dotted path,
    for a module the other library cannot build.
    """
    if isinstance(module, nn.Module):
        return _describe(module, "", _library_kinds(), "to_torch", {})
    if _is_torch_module(module):
        return _describe(module, "", _torch_kinds(), "from_torch", {})
    raise TypeError(f"architecture: expected a Module of nn_from_scratch or of torch, got {type(module).__name__}")


def _describe(module, path: str, kinds: dict, caller: str, seen: dict) -> dict:
    """The architecture of ``module``, found at ``path``; ``seen`` maps id(module) to its path."""
    if id(module) in seen:
        raise ConversionError(f"{caller}: the module at {_where(path)} is also at {_where(seen[id(module)])}; "
                              "a module used twice is not converted: give each place its own module")
    seen[id(module)] = path
    kind = kinds.get(type(module))
    name = type(module).__name__
    if kind is None:
        other = "PyTorch" if caller == "to_torch" else "nn_from_scratch"
        raise ConversionError(f"{caller}: cannot convert {name} at {_where(path)}: {other} has no such layer here "
                              f"(convertible: {', '.join([*LAYERS, *CONTAINERS, *MODELS])}); convert its "
                              "layers one by one and write its forward in the other library")
    children = list(module.named_children())
    if kind in CONTAINERS:
        names = [child_name for child_name, _ in children]
        if names != [str(index) for index in range(len(names))]:
            raise ConversionError(f"{caller}: cannot convert {name} at {_where(path)}: its layers are named "
                                  f"{names}; nn_from_scratch numbers them 0, 1, 2...")
        return {"kind": kind, "children": [_describe(child, _join(path, child_name), kinds, caller, seen)
                                           for child_name, child in children]}
    read_arguments = MODELS[kind][1] if kind in MODELS else LAYERS[kind][1]
    try:
        arguments = read_arguments(module)
    except ConversionError as error:
        raise ConversionError(f"{caller}: cannot convert {name} at {_where(path)}: {error}") from None
    if kind not in MODELS:
        return {"kind": kind, "arguments": arguments}
    return {"kind": kind, "arguments": arguments,
            "children": {child_name: _describe(child, _join(path, child_name), kinds, caller, seen)
                         for child_name, child in children}}


def _first_difference(expected, got, path: str = ""):
    """(dotted path, expected part, part got) where two architectures first differ, or None."""
    if isinstance(expected, dict) and isinstance(got, dict) and expected.keys() == got.keys():
        if "kind" in expected and expected["kind"] != got["kind"]:
            return path, expected["kind"], got["kind"]
        for key in expected:
            inner = path if key in ("kind", "arguments", "children") else _join(path, key)
            difference = _first_difference(expected[key], got[key], inner)
            if difference is not None:
                return difference
        return None
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for index, (a, b) in enumerate(zip(expected, got)):
            difference = _first_difference(a, b, _join(path, str(index)))
            if difference is not None:
                return difference
        return None
    return None if expected == got else (path, expected, got)


@contextlib.contextmanager
def _initial_weights_generator_kept():
    """Building a library layer draws its initial weights from ``random_numbers.generator``; they are replaced at
    once by the copied ones, so put the generator back as it was: converting does not shift the user's seeds."""
    state = random_numbers.generator.bit_generator.state
    try:
        yield
    finally:
        random_numbers.generator.bit_generator.state = state


def build_library(description: dict, path: str = ""):
    """The nn_from_scratch module tree an architecture describes (freshly initialised).

    A model (Generator...) is built by its own class from its arguments; the
    layers it builds must be the ones described, else a :class:`ConversionError`
    names the first difference.
    """
    kind = description["kind"]
    if kind in LAYERS:
        return LAYERS[kind][0](**description["arguments"])
    if kind in CONTAINERS:
        layers = [build_library(child, _join(path, str(index))) for index, child in enumerate(description["children"])]
        return nn.Sequential(*layers) if kind == "Sequential" else nn.ModuleList(layers)
    library_class, _, construct = MODELS[kind]
    model = construct(**description["arguments"])
    difference = _first_difference(_describe(model, path, _library_kinds(), "from_torch", {}), description, path)
    if difference is not None:
        where, expected, got = difference
        raise ConversionError(f"from_torch: cannot convert {kind} at {_where(path)}: at {_where(where)} "
                              f"nn_from_scratch's {library_class.__name__}({description['arguments']}) has {expected}, "
                              f"the torch module has {got}")
    return model


# --------------------------------------------------------------------------
# Converting
# --------------------------------------------------------------------------


def _copy_modes(source, target) -> None:
    """The train/eval mode of every sub-module and requires_grad of every parameter, from source to target
    (two trees with the same dotted names)."""
    target_modules = dict(target.named_modules())
    for name, module in source.named_modules():
        target_modules[name].training = module.training
    target_parameters = dict(target.named_parameters())
    for name, parameter in source.named_parameters():
        target_parameters[name].requires_grad = parameter.requires_grad


def to_torch(module, device=None):
    """An equivalent ``torch.nn.Module``: the same layers, weights, buffers, train/eval modes and
    ``requires_grad`` flags, in the same dtype; on the CPU, or on ``device`` ("cuda"...).

    The models keep their methods: ``to_torch(vae).encode(x)``, ``to_torch(generator).sample(z)``...
    (in PyTorch, labels are tensors or arrays).  Raises :class:`ConversionError`
    for a module PyTorch has no twin of here, naming it and its dotted path.
    """
    torch = import_torch()
    if not isinstance(module, nn.Module):
        raise TypeError(f"to_torch: expected an nn_from_scratch Module, got {type(module).__name__}")
    description = _describe(module, "", _library_kinds(), "to_torch", {})
    with torch.device("meta"):             # no memory and no random numbers: the weights come next
        twin = import_torch_models().build(description)
    state = {name: torch.from_numpy(backend.to_numpy(array)) for name, array in module.state_dict().items()}
    twin.load_state_dict(state, assign=True)
    _copy_modes(module, twin)
    return twin if device is None else twin.to(device)


def from_torch(twin):
    """An nn_from_scratch module equivalent to the ``torch.nn.Module`` ``twin``: the inverse of :func:`to_torch`,
    for the layers and models the library has, on the current backend.

    Raises :class:`ConversionError` for a layer the library lacks (naming it and
    its dotted path) or an option it does not implement (``groups=2``...).
    """
    torch = import_torch()
    if not isinstance(twin, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(twin).__name__}")
    description = _describe(twin, "", _torch_kinds(), "from_torch", {})
    state = {}
    for name, tensor in twin.state_dict().items():
        try:
            state[name] = tensor.detach().cpu().numpy()
        except TypeError as error:
            raise ConversionError(f"from_torch: cannot convert '{name}' ({tensor.dtype}): {error}; "
                                  "cast the module first, e.g. .float()") from None
    dtypes = sorted({str(array.dtype) for array in state.values() if array.dtype.kind == "f"})
    if len(dtypes) > 1:
        raise ConversionError(f"from_torch: the module mixes the dtypes {dtypes}; cast it to one first, "
                              "e.g. .float() or .double()")
    with _initial_weights_generator_kept():
        module = build_library(description)
    if dtypes:
        module.to(dtype=dtypes[0])
    module.load_state_dict(state)
    _copy_modes(twin, module)
    return module


# --------------------------------------------------------------------------
# Exporting: a state dict, and the PyTorch code that loads it without this library
# --------------------------------------------------------------------------

def torch_source(description: dict, indent: str = "") -> str:
    """The PyTorch code (an expression; ``torch.nn`` imported as ``nn``, the model classes of
    torch_models.py in scope) that builds an architecture, one layer per line, every argument named."""
    kind = description["kind"]
    inner = indent + "    "
    if kind in LAYERS:
        arguments = ", ".join(f"{name}={value!r}" for name, value in description["arguments"].items())
        return f"nn.{kind}({arguments})"
    if kind == "Sequential":
        opening, items, closing = "nn.Sequential(", [torch_source(c, inner) for c in description["children"]], ")"
    elif kind == "ModuleList":
        opening, items, closing = "nn.ModuleList([", [torch_source(c, inner) for c in description["children"]], "])"
    elif kind == "ModuleDict":
        items = [f"{name!r}: {torch_source(child, inner)}" for name, child in description["children"].items()]
        opening, closing = "nn.ModuleDict({", "})"
    else:                                      # a model: its layers, then its settings
        items = [f"{name}={torch_source(child, inner)}" for name, child in description["children"].items()]
        items += [f"{name}={value!r}" for name, value in description["arguments"].items()]
        opening, closing = f"{kind}(", ")"
    return opening + "".join(f"\n{inner}{item}," for item in items) + f"\n{indent}{closing}"


EXPORT_FOOTER = '''

# ---------------------------------------------------------------------------
# Generated by nn_from_scratch {version}:
#     {command}
# Everything above is nn_from_scratch/interop/torch_models.py, unchanged; it needs torch only.
#
#     models = load()          # a torch.nn.ModuleDict in eval mode: {names}
# ---------------------------------------------------------------------------

from pathlib import Path  # noqa: E402

STATE_DICT_FILE = {state_dict_file!r}      # next to this file; torch.load(..., weights_only=True) reads it


def build_models() -> nn.ModuleDict:
    """The exported models, freshly initialised: the layers of nn_from_scratch's models, converted one by one."""
    return {source}


def load(path=None) -> nn.ModuleDict:
    """The exported models with their trained weights (``path``: the state dict, default STATE_DICT_FILE), in eval
    mode."""
    models = build_models()
    path = Path(__file__).with_name(STATE_DICT_FILE) if path is None else path
    models.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return models.eval()
'''


def export(library_models: dict, path, command: str = "") -> tuple:
    """Write ``library_models`` (name -> nn_from_scratch Module) for PyTorch users; returns (state dict path,
    module path).

    * ``path`` (e.g. ``gan.pt``): one state dict, keys ``"<name>.<parameter>"``
      (``"generator.project.0.weight"``...), that ``torch.load(path, weights_only=True)`` reads;
    * the same path with suffix ``.py`` (``gan.py``): the PyTorch model classes,
      ``build_models()`` (the models' layers as PyTorch code, :func:`torch_source`) and
      ``load()``, which builds them and loads the weights, without nn_from_scratch.

    Both files are written atomically.  ``command``, if given, is quoted in the module file.
    """
    torch = import_torch()
    path = Path(path)
    module_path = path.with_suffix(".py")
    if path.suffix == ".py":
        raise ValueError(f"export: {path} would be overwritten by the module file; name the state dict .pt")
    twin = torch.nn.ModuleDict({name: to_torch(model) for name, model in library_models.items()}).eval()
    description = {"kind": "ModuleDict", "children": {name: architecture(model)
                                                      for name, model in library_models.items()}}
    from .. import __version__  # here: nn_from_scratch/__init__.py sets it after importing this file

    source = Path(import_torch_models().__file__).read_text()
    source += EXPORT_FOOTER.format(version=__version__, command=command or "nn_from_scratch.interop.export(...)",
                                   names=", ".join(f"'{name}'" for name in library_models), state_dict_file=path.name,
                                   source=torch_source(description, indent="    "))
    write_text_atomically(module_path, source)
    with atomic_output(path) as file:
        torch.save(twin.state_dict(), file)
    return path, module_path
