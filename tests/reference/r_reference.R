# Reference values for cipsurvey's statistics where GNU PSPP has no procedure.
# Run:  Rscript r_reference.R   (reads r_data.csv, writes r_values.csv)
# Made with R 4.2.2 (Debian), effectsize 0.8.3, MASS 7.3-58.2, car 3.1-1, psych 2.2.9
# (Debian: r-base-core r-cran-effectsize r-cran-psych r-cran-car).
suppressPackageStartupMessages({
  library(effectsize); library(MASS); library(car); library(psych)
})
d <- read.csv("r_data.csv")
out <- list()
put <- function(name, value) out[[name]] <<- value

# Welch's ANOVA
w <- oneway.test(y ~ factor(g), data = d, var.equal = FALSE)
put("welch_F", w$statistic); put("welch_df1", w$parameter[1]); put("welch_df2", w$parameter[2])
put("welch_p", w$p.value)

# Brown-Forsythe F* test of means (written out: no packaged version here)
grp <- split(d$y, d$g); n <- sapply(grp, length); m <- sapply(grp, mean); v <- sapply(grp, var)
N <- sum(n); gm <- mean(d$y)
denom <- sum((1 - n / N) * v)
Fstar <- sum(n * (m - gm)^2) / denom
cc <- (1 - n / N) * v / denom
df2 <- 1 / sum(cc^2 / (n - 1))
put("bf_F", Fstar); put("bf_df2", df2); put("bf_p", pf(Fstar, length(n) - 1, df2, lower.tail = FALSE))

# eta squared and omega squared with two-sided 95% CIs
fit <- aov(y ~ factor(g), data = d)
e <- eta_squared(fit, ci = 0.95, alternative = "two.sided")
put("eta2", e$Eta2); put("eta2_low", e$CI_low); put("eta2_high", e$CI_high)
o <- omega_squared(fit, ci = 0.95, alternative = "two.sided")
put("omega2", o$Omega2); put("omega2_low", o$CI_low); put("omega2_high", o$CI_high)

# Cohen's d (pooled SD) and Hedges' g, sex 1 vs 2
cd <- cohens_d(y ~ factor(sex), data = d, pooled_sd = TRUE, ci = 0.95)
put("d", cd$Cohens_d); put("d_low", cd$CI_low); put("d_high", cd$CI_high)
hg <- hedges_g(y ~ factor(sex), data = d, pooled_sd = TRUE, ci = 0.95)
put("g", hg$Hedges_g); put("g_low", hg$CI_low); put("g_high", hg$CI_high)

# paired d_z with a noncentral-t CI (written out)
diff <- d$pre - d$post; nn <- length(diff); tt <- mean(diff) / (sd(diff) / sqrt(nn))
lo <- uniroot(function(x) pt(tt, nn - 1, ncp = x) - 0.975, c(tt - 10, tt + 10), tol = 1e-13)$root
hi <- uniroot(function(x) pt(tt, nn - 1, ncp = x) - 0.025, c(tt - 10, tt + 10), tol = 1e-13)$root
put("dz", mean(diff) / sd(diff)); put("dz_low", lo / sqrt(nn)); put("dz_high", hi / sqrt(nn))
pt_res <- t.test(d$pre, d$post, paired = TRUE)
put("paired_t", pt_res$statistic); put("paired_p", pt_res$p.value)

# Cramer's V with a two-sided CI (g by cat0)
tab <- table(d$g, d$cat0)
cv <- cramers_v(tab, ci = 0.95, alternative = "two.sided", adjust = FALSE)
put("cramers_v", cv$Cramers_v); put("cramers_v_low", cv$CI_low); put("cramers_v_high", cv$CI_high)

# Levene centred on the median (car)
lm_ <- leveneTest(y ~ factor(g), data = d, center = median)
put("levene_median_F", lm_$`F value`[1]); put("levene_median_p", lm_$`Pr(>F)`[1])

# Poisson and negative binomial regression: count ~ factor(g) + x1
pois <- glm(count ~ factor(g) + x1, data = d, family = poisson,
            control = glm.control(epsilon = 1e-14, maxit = 100))
cp <- summary(pois)$coefficients
for (i in seq_len(nrow(cp))) { put(paste0("pois_b", i), cp[i, 1]); put(paste0("pois_se", i), cp[i, 2]) }
put("pois_dispersion", sum(residuals(pois, type = "pearson")^2) / pois$df.residual)
nb <- glm.nb(count ~ factor(g) + x1, data = d, control = glm.control(epsilon = 1e-14, maxit = 200))
cn <- summary(nb)$coefficients
for (i in seq_len(nrow(cn))) { put(paste0("nb_b", i), cn[i, 1]); put(paste0("nb_se", i), cn[i, 2]) }
put("nb_theta", nb$theta); put("nb_loglik", as.numeric(logLik(nb)))

# Dunn's test, Bonferroni (written out)
r <- rank(d$y); N <- length(r); ties <- table(d$y)
s2 <- N * (N + 1) / 12 - sum(ties^3 - ties) / (12 * (N - 1))
mr <- tapply(r, d$g, mean); ng <- tapply(r, d$g, length)
pairs <- combn(names(mr), 2)
for (k in seq_len(ncol(pairs))) {
  a <- pairs[1, k]; b <- pairs[2, k]
  z <- (mr[a] - mr[b]) / sqrt(s2 * (1 / ng[a] + 1 / ng[b]))
  put(paste0("dunn_z_", a, b), z)
  put(paste0("dunn_padj_", a, b), min(1, 2 * pnorm(-abs(z)) * ncol(pairs)))
}

# Bowker's symmetry test (base R mcnemar.test on a k x k table)
b <- mcnemar.test(table(factor(d$cat0, 1:3), factor(d$cat1, 1:3)))
put("bowker", b$statistic); put("bowker_df", b$parameter); put("bowker_p", b$p.value)

# Wilcoxon signed-rank, normal approximation, no continuity correction
wx <- wilcox.test(d$pre, d$post, paired = TRUE, exact = FALSE, correct = FALSE)
put("wilcoxon_p", wx$p.value)

# Cronbach's alpha with Feldt's CI (psych), on pre/post/x1-free items: pre, post, cat0, cat1
a <- psych::alpha(d[, c("pre", "post", "cat0", "cat1")], check.keys = FALSE)
put("alpha", a$total$raw_alpha); put("alpha_low", a$feldt$lower.ci); put("alpha_high", a$feldt$upper.ci)

# Wilson interval for 37 of 160 (written out)
x <- 37; n <- 160; z <- qnorm(0.975); p <- x / n
centre <- (p + z^2 / (2 * n)) / (1 + z^2 / n)
half <- z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2)) / (1 + z^2 / n)
put("wilson_low", centre - half); put("wilson_high", centre + half)

# ---- added for issue 22: statistics whose bugs no test caught, and conf levels other than 95%

# Kruskal-Wallis H (tie-corrected) and epsilon squared = H / (n - 1) (effectsize's
# rank_epsilon_squared: H / ((n^2 - 1) / (n + 1)), Tomczak & Tomczak 2014)
kw <- kruskal.test(y ~ factor(g), data = d)
put("kw_H", kw$statistic); put("kw_p", kw$p.value)
put("kw_epsilon2", rank_epsilon_squared(y ~ factor(g), data = d, ci = NULL)$rank_epsilon_squared)

# McNemar on pre > 2 by post > 2 (discordant 11 and 5), with and without continuity correction
hi <- table(factor(d$pre > 2, c(FALSE, TRUE)), factor(d$post > 2, c(FALSE, TRUE)))
mc <- mcnemar.test(hi, correct = TRUE); mu <- mcnemar.test(hi, correct = FALSE)
put("mcnemar_cc", mc$statistic); put("mcnemar_cc_p", mc$p.value)
put("mcnemar", mu$statistic); put("mcnemar_p", mu$p.value)
put("mcnemar_exact_p", binom.test(hi[1, 2], hi[1, 2] + hi[2, 1])$p.value)

# crosstab g by cat0: percentages, expected counts, Pearson and adjusted (Haberman) residuals
tab <- table(d$g, d$cat0)
cs <- suppressWarnings(chisq.test(tab, correct = FALSE))
rp <- prop.table(tab, 1) * 100; cp <- prop.table(tab, 2) * 100; tp <- prop.table(tab) * 100
for (i in rownames(tab)) for (j in colnames(tab)) {
  key <- paste0(i, j)
  put(paste0("cell_row_pct_", key), rp[i, j]); put(paste0("cell_col_pct_", key), cp[i, j])
  put(paste0("cell_total_pct_", key), tp[i, j]); put(paste0("cell_expected_", key), cs$expected[i, j])
  put(paste0("cell_std_res_", key), cs$residuals[i, j]); put(paste0("cell_adj_res_", key), cs$stdres[i, j])
}

# multiple response: options "cat0 is 1" and "cat0 is 2" compared between g (Pearson) and
# between sex (2x2; Pearson unless an expected count is under 5, Fisher's exact test kept too)
for (v in 1:2) {
  opt <- as.numeric(d$cat0 == v)
  cs <- suppressWarnings(chisq.test(table(d$g, opt), correct = FALSE))
  put(paste0("mr_chi2_o", v), cs$statistic); put(paste0("mr_p_o", v), cs$p.value)
  put(paste0("mr_v_o", v), cramers_v(table(d$g, opt), ci = NULL, adjust = FALSE)$Cramers_v)
  put(paste0("mr_fisher_p_o", v), fisher.test(table(d$sex, opt))$p.value)
  cs <- suppressWarnings(chisq.test(table(d$sex, opt), correct = FALSE))
  put(paste0("mr_sex_chi2_o", v), cs$statistic); put(paste0("mr_sex_p_o", v), cs$p.value)
  put(paste0("mr_sex_min_expected_o", v), min(cs$expected))
}

# the same statistics at 90% and 99%
for (lev in c(0.90, 0.99)) {
  L <- sprintf("%02d", round(100 * lev))
  # Wilson intervals (prop.test without continuity correction) of each answer to cat0
  for (v in sort(unique(d$cat0))) {
    ci <- prop.test(sum(d$cat0 == v), nrow(d), conf.level = lev, correct = FALSE)$conf.int
    put(paste0("wilson_cat0_", v, "_", L, "_low"), ci[1]); put(paste0("wilson_cat0_", v, "_", L, "_high"), ci[2])
  }
  # mean of y by g and in total: t interval
  for (v in c(sort(unique(d$g)), "Total")) {
    yy <- if (v == "Total") d$y else d$y[d$g == v]
    ci <- t.test(yy, conf.level = lev)$conf.int
    put(paste0("mean_y_", v, "_", L, "_low"), ci[1]); put(paste0("mean_y_", v, "_", L, "_high"), ci[2])
  }
  # Student's and Welch's t of y by sex (group 1 - group 2)
  for (eq in c(TRUE, FALSE)) {
    ci <- t.test(y ~ factor(sex), data = d, var.equal = eq, conf.level = lev)$conf.int
    nm <- if (eq) "student" else "welch"
    put(paste0(nm, "_", L, "_low"), ci[1]); put(paste0(nm, "_", L, "_high"), ci[2])
  }
  # Cohen's d and Hedges' g of y by sex, and d of every pair of g: the noncentral t
  # inverted with uniroot at tolerance 1e-13 (effectsize's default tolerance leaves its 99%
  # limits some 1e-6 from the root), g = d * J with the exact J
  a2 <- (1 - lev) / 2
  d_ci <- function(y1, y2) {
    n1 <- length(y1); n2 <- length(y2); df <- n1 + n2 - 2
    sp <- sqrt(((n1 - 1) * var(y1) + (n2 - 1) * var(y2)) / df)
    s <- sqrt(1 / n1 + 1 / n2); t0 <- (mean(y1) - mean(y2)) / sp / s
    w <- 10 * (1 + abs(t0))
    lo <- uniroot(function(x) pt(t0, df, ncp = x) - (1 - a2), c(t0 - w, t0 + w), tol = 1e-13)$root
    up <- uniroot(function(x) pt(t0, df, ncp = x) - a2, c(t0 - w, t0 + w), tol = 1e-13)$root
    j <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
    c(lo * s, up * s, j)
  }
  r <- d_ci(d$y[d$sex == 1], d$y[d$sex == 2])
  put(paste0("d_", L, "_low"), r[1]); put(paste0("d_", L, "_high"), r[2])
  put(paste0("g_", L, "_low"), r[1] * r[3]); put(paste0("g_", L, "_high"), r[2] * r[3])
  for (pr in list(c(1, 2), c(1, 3), c(2, 3))) {
    r <- d_ci(d$y[d$g == pr[1]], d$y[d$g == pr[2]])
    key <- paste0(pr[1], pr[2], "_", L)
    put(paste0("pair_d_", key, "_low"), r[1]); put(paste0("pair_d_", key, "_high"), r[2])
  }
  # paired t of pre - post, and d_z by noncentral t inversion (written out)
  pt_res <- t.test(d$pre, d$post, paired = TRUE, conf.level = lev)
  put(paste0("paired_", L, "_low"), pt_res$conf.int[1]); put(paste0("paired_", L, "_high"), pt_res$conf.int[2])
  lo <- uniroot(function(x) pt(tt, nn - 1, ncp = x) - (1 - a2), c(tt - 10, tt + 10), tol = 1e-13)$root
  up <- uniroot(function(x) pt(tt, nn - 1, ncp = x) - a2, c(tt - 10, tt + 10), tol = 1e-13)$root
  put(paste0("dz_", L, "_low"), lo / sqrt(nn)); put(paste0("dz_", L, "_high"), up / sqrt(nn))
  # eta squared of y by g and Cramer's V of g by (y above its median): the noncentral F and
  # chi-square inverted with uniroot at tolerance 1e-13 (a limit is 0 when even no
  # noncentrality puts the statistic below that point), converted as effectsize does:
  # eta2 = lambda / (lambda + df_within), V = sqrt(lambda / (n (min(r, c) - 1)))
  ncp_limits <- function(cdf) sapply(c(1 - a2, a2), function(p) {
    if (cdf(0) <= p) return(0)
    uniroot(function(x) cdf(x) - p, c(0, 1000), tol = 1e-13)$root
  })
  av <- anova(lm(y ~ factor(g), data = d))
  fval <- av$`F value`[1]; dfb <- av$Df[1]; dfw <- av$Df[2]
  lam <- ncp_limits(function(x) pf(fval, dfb, dfw, ncp = x))
  put(paste0("eta2_", L, "_low"), lam[1] / (lam[1] + dfw))
  put(paste0("eta2_", L, "_high"), lam[2] / (lam[2] + dfw))
  tb <- table(d$g, d$y > median(d$y))
  x2 <- suppressWarnings(chisq.test(tb, correct = FALSE))
  lam <- ncp_limits(function(x) pchisq(x2$statistic, x2$parameter, ncp = x))
  put(paste0("v_", L, "_low"), sqrt(lam[1] / (sum(tb) * (min(dim(tb)) - 1))))
  put(paste0("v_", L, "_high"), sqrt(lam[2] / (sum(tb) * (min(dim(tb)) - 1))))
  # Cronbach's alpha, Feldt interval (psych)
  al <- psych::alpha(d[, c("pre", "post", "cat0", "cat1")], check.keys = FALSE)$total$raw_alpha
  fe <- psych::alpha.ci(al, nrow(d), 4, p.val = 1 - lev, digits = 17)
  put(paste0("alpha_", L, "_low"), fe$lower.ci); put(paste0("alpha_", L, "_high"), fe$upper.ci)
  # post hoc comparisons of y by g: Tukey (TukeyHSD), Scheffe, Bonferroni and
  # Games-Howell (written out with qf, qt and qtukey)
  tk <- TukeyHSD(aov(y ~ factor(g), data = d), conf.level = lev)[[1]]
  grp <- split(d$y, d$g); n <- sapply(grp, length); m <- sapply(grp, mean); v <- sapply(grp, var)
  k <- length(grp); dfw <- sum(n) - k; msw <- sum((n - 1) * v) / dfw; np <- k * (k - 1) / 2
  for (pr in list(c(1, 2), c(1, 3), c(2, 3))) {
    i <- pr[1]; j <- pr[2]; key <- paste0(i, j, "_", L)
    # TukeyHSD's row "j-i" is mean_j - mean_i: the interval of mean_i - mean_j is its mirror
    put(paste0("tukey_", key, "_low"), -tk[paste0(j, "-", i), "upr"])
    put(paste0("tukey_", key, "_high"), -tk[paste0(j, "-", i), "lwr"])
    se <- sqrt(msw * (1 / n[i] + 1 / n[j])); dif <- m[i] - m[j]
    h <- se * sqrt((k - 1) * qf(lev, k - 1, dfw))
    put(paste0("scheffe_", key, "_low"), dif - h); put(paste0("scheffe_", key, "_high"), dif + h)
    h <- se * qt(1 - (1 - lev) / (2 * np), dfw)
    put(paste0("bonferroni_", key, "_low"), dif - h); put(paste0("bonferroni_", key, "_high"), dif + h)
    vi <- v[i] / n[i]; vj <- v[j] / n[j]; seg <- sqrt(vi + vj)
    dfg <- (vi + vj)^2 / (vi^2 / (n[i] - 1) + vj^2 / (n[j] - 1))
    # qtukey is documented as accurate to 4 decimals: the quantile by uniroot on ptukey
    qg <- uniroot(function(q) ptukey(q, k, dfg) - lev, c(0.5, 50), tol = 1e-13)$root
    h <- qg / sqrt(2) * seg
    put(paste0("gh_", key, "_low"), dif - h); put(paste0("gh_", key, "_high"), dif + h)
  }
  # regression intervals: OLS (t), Poisson, negative binomial and logistic (Wald)
  ols <- lm(y ~ factor(g) + x1, data = d)
  put_ci <- function(name, ci) for (r in seq_len(nrow(ci))) {
    put(paste0(name, "_", L, "_low", r), ci[r, 1]); put(paste0(name, "_", L, "_high", r), ci[r, 2])
  }
  put_ci("ols", confint(ols, level = lev))
  put_ci("pois", confint.default(pois, level = lev))
  put_ci("nb", confint.default(nb, level = lev))
  logit <- glm(I(y > median(y)) ~ factor(g) + x1, data = d, family = binomial,
               control = glm.control(epsilon = 1e-14, maxit = 100))
  put_ci("logit", confint.default(logit, level = lev))
}

vals <- unlist(out)
write.csv(data.frame(name = names(vals), value = sprintf("%.17g", vals)), "r_values.csv",
          row.names = FALSE)
