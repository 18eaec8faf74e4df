# Reference for tests/models/logistic_test.cpp: plain logistic regression
# by R glm on the shared LASSO data (x01..x05), converged to 1e-14.
# Regenerate: Rscript tests/models/data/glm_reference.R > tests/models/data/glm_reference.csv
# (run from a checkout next to ../shared; R 4.2.2 produced the stored file).
d <- read.csv("../shared/reference/stats/lasso_data.csv")
f <- glm(label ~ x01 + x02 + x03 + x04 + x05, data = d, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
cf <- coef(f)
cat("term,estimate\n")
for (k in seq_along(cf)) cat(sprintf("%s,%.17g\n", names(cf)[k], cf[k]))
cat(sprintf("deviance,%.17g\n", deviance(f)))
