"""The outputs, siblings: each stage in its folder imports no other; shared rendering beside them."""
