"""Builds spin/model.onnx, a test model whose run time is set by its input: the first feature, `spin`, times 1000
is the number of 64x64 matrix products it performs before answering (spin 0: none; spin 1000: about a minute).
The answer is logits [x, -x] of the second feature. Run with /usr/bin/python3 (needs the onnx package)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
w = numpy_helper.from_array((rng.standard_normal((64, 64)) / 8).astype(np.float32), "w")
state0 = numpy_helper.from_array(np.eye(64, dtype=np.float32), "state0")
thousand = numpy_helper.from_array(np.array(1000.0, dtype=np.float32), "thousand")
zero_idx = numpy_helper.from_array(np.array(0, dtype=np.int64), "zero_idx")
one_idx = numpy_helper.from_array(np.array([1], dtype=np.int64), "one_idx")
zero = numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero")
minus_one = numpy_helper.from_array(np.array(-1.0, dtype=np.float32), "minus_one")
true = numpy_helper.from_array(np.array(True), "true")

body = helper.make_graph(
    [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
     helper.make_node("MatMul", ["state_in", "w"], ["product"]),
     helper.make_node("Tanh", ["product"], ["state_out"])],
    "spin_body",
    [helper.make_tensor_value_info("iter", TensorProto.INT64, []),
     helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
     helper.make_tensor_value_info("state_in", TensorProto.FLOAT, [64, 64])],
    [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
     helper.make_tensor_value_info("state_out", TensorProto.FLOAT, [64, 64])])

nodes = [
    helper.make_node("Gather", ["input", "zero_idx"], ["spin"], axis=1),
    helper.make_node("ReduceMax", ["spin"], ["spin_max"], keepdims=0),
    helper.make_node("Mul", ["spin_max", "thousand"], ["trips_f"]),
    helper.make_node("Cast", ["trips_f"], ["trips"], to=TensorProto.INT64),
    helper.make_node("Loop", ["trips", "true", "state0"], ["state_final"], body=body),
    helper.make_node("ReduceSum", ["state_final"], ["state_sum"], keepdims=0),
    helper.make_node("Mul", ["state_sum", "zero"], ["nothing"]),
    helper.make_node("Gather", ["input", "one_idx"], ["x"], axis=1),
    helper.make_node("Mul", ["x", "minus_one"], ["minus_x"]),
    helper.make_node("Concat", ["x", "minus_x"], ["pair"], axis=1),
    helper.make_node("Add", ["pair", "nothing"], ["logits"]),
]
graph = helper.make_graph(nodes, "spin",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 2])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 2])],
    [w, state0, thousand, zero_idx, one_idx, zero, minus_one, true])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="infermesh-tests")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, "spin/model.onnx")
