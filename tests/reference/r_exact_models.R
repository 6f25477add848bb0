# Reference values for test selection, count models and multiplicity (issue 21).
# Run:  Rscript r_exact_models.R   (reads r_exact_tables.csv and r_models_data.csv,
#                                   writes r_exact_models.csv)
# Made with R 4.2.2 (Debian), MASS 7.3-58.2. r_models_data.csv is a column subset of the
# synthetic demo wave (three work areas), written by cipsurvey; the tables are the demo's
# sparse crosstabs and hand-made sparse tables.
suppressPackageStartupMessages(library(MASS))
out <- list()
put <- function(name, value) out[[name]] <<- value

# ---- Fisher's exact test for r x c tables (FEXACT network algorithm) ----
tabs <- read.csv("r_exact_tables.csv")
for (id in unique(tabs$table)) {
  t <- tabs[tabs$table == id, ]
  m <- matrix(0, max(t$row), max(t$col))
  m[cbind(t$row, t$col)] <- t$count
  if (id == "partner_easiest") next  # too large for the exact test: see below
  put(paste0("fisher_", id), fisher.test(m, workspace = 2e8)$p.value)
}
# Monte Carlo: R's own simulation (its RNG, not ours), for the agreement in distribution
mc <- tabs[tabs$table == "monte_carlo_4x5", ]
m <- matrix(0, 4, 5); m[cbind(mc$row, mc$col)] <- mc$count
set.seed(20170705)
put("fisher_sim_monte_carlo_4x5", fisher.test(m, simulate.p.value = TRUE, B = 1e5)$p.value)

# ---- quasi-independence: work area x easiest partner, own organisation zero by design ----
pe <- tabs[tabs$table == "partner_easiest", ]
pe$s <- pe$row == pe$col
q <- glm(count ~ factor(row) + factor(col), family = poisson, data = pe[!pe$s, ],
         control = glm.control(epsilon = 1e-14, maxit = 100))
put("qi_pearson", sum(residuals(q, type = "pearson")^2))
put("qi_g2", deviance(q)); put("qi_df", df.residual(q))
rs <- unname(rstandard(q, type = "pearson"))
live <- pe[!pe$s, ]
for (i in seq_len(nrow(live))) put(sprintf("qi_adjres_%d_%d", live$row[i], live$col[i]), rs[i])
pe$fit <- NA; pe$fit[!pe$s] <- fitted(q)
for (i in which(!pe$s)) put(sprintf("qi_expected_%d_%d", pe$row[i], pe$col[i]), pe$fit[i])

# ---- count models for the 0-14 template-contents count ----
d <- read.csv("r_models_data.csv")
d$work_area <- factor(d$work_area); d$gender <- factor(d$gender)
f <- template_contents_yes ~ work_area + gender + age + years_at_workplace
pois <- glm(f, family = poisson, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
put("tc_poisson_dispersion", sum(residuals(pois, type = "pearson")^2) / pois$df.residual)
fb <- cbind(template_contents_yes, 14 - template_contents_yes) ~ work_area + gender + age +
  years_at_workplace
bin <- glm(fb, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
cb <- summary(bin)$coefficients
for (i in seq_len(nrow(cb))) {
  put(paste0("tc_binom_b", i), cb[i, 1]); put(paste0("tc_binom_se", i), cb[i, 2])
  put(paste0("tc_binom_p", i), cb[i, 4])
}
put("tc_binom_dispersion", sum(residuals(bin, type = "pearson")^2) / bin$df.residual)
put("tc_binom_n", nobs(bin))
qb <- glm(fb, family = quasibinomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
cq <- summary(qb)$coefficients
for (i in seq_len(nrow(cq))) {
  put(paste0("tc_quasi_se", i), cq[i, 2]); put(paste0("tc_quasi_t", i), cq[i, 3])
  put(paste0("tc_quasi_p", i), cq[i, 4])
}
put("tc_quasi_dispersion", summary(qb)$dispersion)
# the negative binomial on this under-dispersed count: theta runs off to infinity (alpha = 0)
warned <- 0
nb <- withCallingHandlers(
  glm.nb(f, data = d), warning = function(w) { warned <<- 1; invokeRestart("muffleWarning") })
put("tc_nb_theta", nb$theta); put("tc_nb_warned", warned)
# and on the over-dispersed six-month count, reference psychiatric care (as the plan)
d$work_area2 <- relevel(d$work_area, ref = "2")
nb6 <- glm.nb(n_part_6m ~ gender + age + work_area2 + years_at_workplace, data = d,
              control = glm.control(epsilon = 1e-14, maxit = 200))
put("n6_nb_alpha", 1 / nb6$theta); put("n6_nb_n", nobs(nb6))
p6 <- glm(n_part_6m ~ gender + age + work_area2 + years_at_workplace, family = poisson, data = d)
put("n6_poisson_dispersion", sum(residuals(p6, type = "pearson")^2) / p6$df.residual)

# ---- multiplicity: p.adjust (NA kept, not counted) ----
p <- c(0.004, 0.278, 0.051, 0.0012, 0.03, NA, 0.6, 0.049)
h <- p.adjust(p, "holm"); b <- p.adjust(p, "BH")
for (i in seq_along(p)) { put(paste0("holm_", i), h[i]); put(paste0("bh_", i), b[i]) }

vals <- unlist(out)
write.csv(data.frame(name = names(vals), value = sprintf("%.17g", vals)), "r_exact_models.csv",
          row.names = FALSE)
