# A two-module tree for the include check's own test: a declares no dependency.
set(lvsi_MODULES core a b)
set(lvsi_core_MODULE_DEPS )
set(lvsi_a_MODULE_DEPS core)
set(lvsi_b_MODULE_DEPS core)
