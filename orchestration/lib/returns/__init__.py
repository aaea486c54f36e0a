"""An LA's own statutory returns: child-level data kept in the private area, validated by DfE's rules, counted the published way."""
