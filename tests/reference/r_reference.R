# Reference values for cipsurvey's statistics where GNU PSPP has no procedure.
# Run:  Rscript r_reference.R   (reads r_data.csv, writes r_values.csv)
# Made with R 4.2.2 (Debian), effectsize 0.8.3, MASS 7.3-58.2, car 3.1-1, psych 2.2.9.
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

vals <- unlist(out)
write.csv(data.frame(name = names(vals), value = sprintf("%.17g", vals)), "r_values.csv",
          row.names = FALSE)
