# Reference values for cipsurvey's wave comparison: GEE and mixed models over waves, response
# weights and weighted means, and power / minimum detectable effects.
# Run:  Rscript r_compare.R   (writes r_compare_long.csv, r_compare_invited.csv and
#                               r_compare_values.csv beside this script)
# Made with R 4.2.2 (Debian), geepack 1.3.9, lme4 1.1-31, survey 4.1-1.
# The data are made here (set.seed), so nothing in them comes from cipsurvey.
suppressPackageStartupMessages({ library(geepack); library(lme4); library(survey) })
set.seed(20261124)
out <- list()
put <- function(name, value) out[[name]] <<- unname(value)

# ---------------------------------------------------------------- the data
# 300 people at baseline (20 answered without the key), ~70 % at wave 1 and ~60 % at wave 2;
# response depends on age and area; a person's level is shared across waves.
n <- 300
people <- data.frame(person = 1:n, gender = sample(1:2, n, TRUE, c(.8, .2)),
                     area = sample(1:3, n, TRUE), age = round(rnorm(n, 45, 10)))
people$age[sample(n, 15)] <- NA
u <- rnorm(n, 0, 1)
level <- exp(0.8 + 0.3 * u + 0.2 * (people$area == 2))
rows <- list()
for (w in 0:2) {
  lp <- 0.9 - 0.03 * (ifelse(is.na(people$age), 45, people$age) - 45) - 0.4 * (people$area == 3) - 0.3 * w
  answered <- if (w == 0) rep(TRUE, n) else runif(n) < plogis(lp)
  y <- rpois(n, level * (1 + 0.25 * w))
  yb <- as.integer(runif(n) < plogis(-0.3 + 0.35 * w + 0.9 * u))
  rows[[w + 1]] <- data.frame(person = people$person, wave = w, y = y, yb = yb)[answered, ]
}
long <- do.call(rbind, rows)
long$y[sample(nrow(long), 12)] <- NA
anonymous <- long$wave == 0 & long$person > 280
long$person[anonymous] <- NA
write.csv(long, "r_compare_long.csv", row.names = FALSE, na = "")
base <- merge(people, long[long$wave == 0 & !is.na(long$person), c("person", "y", "yb")],
              by = "person")
w1 <- long[long$wave == 1, c("person", "y", "yb")]
names(w1) <- c("person", "y1", "yb1")
base$responded <- as.integer(base$person %in% w1$person)
write.csv(base, "r_compare_invited.csv", row.names = FALSE, na = "")

# a respondent without the key is a cluster of its own
long$pid <- ifelse(is.na(long$person), 100000 + seq_len(nrow(long)), long$person)
long <- long[order(long$pid, long$wave), ]

# ---------------------------------------------------------------- GEE (geepack)
gee_block <- function(prefix, d, y, corstr = "exchangeable") {
  d <- d[!is.na(d[[y]]), ]
  d$yy <- d[[y]]
  f <- geeglm(yy ~ factor(wave), id = pid, data = d, corstr = corstr)
  b <- coef(f); V <- vcov(f); k <- length(b)
  for (i in seq_len(k)) {
    put(sprintf("%s_b%d", prefix, i), b[i]); put(sprintf("%s_se%d", prefix, i), sqrt(V[i, i]))
    cvec <- c(1, rep(0, k - 1)); if (i > 1) cvec[i] <- 1
    put(sprintf("%s_mean%d", prefix, i), sum(cvec * b))
    put(sprintf("%s_mean_se%d", prefix, i), sqrt(drop(t(cvec) %*% V %*% cvec)))
  }
  if (corstr == "exchangeable") put(paste0(prefix, "_alpha"), summary(f)$corr$Estimate)
  if (k >= 3) {
    bb <- b[-1]; VV <- V[-1, -1]
    put(paste0(prefix, "_joint"), drop(t(bb) %*% solve(VV) %*% bb))
    ft <- geeglm(yy ~ wave, id = pid, data = d, corstr = corstr)
    put(paste0(prefix, "_trend"), coef(ft)[2]); put(paste0(prefix, "_trend_se"), sqrt(vcov(ft)[2, 2]))
  }
  put(paste0(prefix, "_nobs"), nrow(d)); put(paste0(prefix, "_nclusters"), length(unique(d$pid)))
}
gee_block("gee3", long, "y")
gee_block("gee3b", long, "yb")
gee_block("gee2", long[long$wave <= 1, ], "y")
gee_block("geei3", long, "y", corstr = "independence")

# ---------------------------------------------------------------- mixed model (lme4, REML)
mixed_block <- function(prefix, d) {
  d <- d[!is.na(d$y), ]
  m <- lmer(y ~ factor(wave) + (1 | pid), data = d, REML = TRUE)
  b <- fixef(m); V <- as.matrix(vcov(m))
  for (i in seq_along(b)) {
    put(sprintf("%s_b%d", prefix, i), b[i]); put(sprintf("%s_se%d", prefix, i), sqrt(V[i, i]))
  }
  vc <- as.data.frame(VarCorr(m))
  put(paste0(prefix, "_icc"), vc$vcov[1] / sum(vc$vcov))
  mt <- lmer(y ~ wave + (1 | pid), data = d, REML = TRUE)
  put(paste0(prefix, "_trend"), fixef(mt)[2]); put(paste0(prefix, "_trend_se"), sqrt(vcov(mt)[2, 2]))
}
mixed_block("lmm3", long)

# ---------------------------------------------------------------- response weights (glm + survey)
# The response model cipsurvey fits: gender and area as categories, age as a number with a
# missing age set to the mean age and flagged.
base$age_missing <- as.integer(is.na(base$age))
base$age_filled <- ifelse(is.na(base$age), mean(base$age, na.rm = TRUE), base$age)
rm_ <- glm(responded ~ factor(gender) + factor(area) + age_filled + age_missing,
           family = binomial, data = base, control = glm.control(epsilon = 1e-14, maxit = 100))
cf <- summary(rm_)$coefficients
for (i in seq_len(nrow(cf))) { put(sprintf("rm_b%d", i), cf[i, 1]); put(sprintf("rm_se%d", i), cf[i, 2]) }
base$w <- ifelse(base$responded == 1, 1 / fitted(rm_), NA)
resp <- merge(base[base$responded == 1, ], w1, by = "person")
put("w_sum", sum(resp$w)); put("w_max", max(resp$w)); put("w_min", min(resp$w))
put("w_ess", sum(resp$w)^2 / sum(resp$w^2))
des <- svydesign(ids = ~1, weights = ~w, data = resp[!is.na(resp$y1), ])
m1 <- svymean(~y1, des); put("svy_y1", coef(m1)); put("svy_y1_se", SE(m1))
ci <- confint(m1); put("svy_y1_low", ci[1]); put("svy_y1_high", ci[2])
desb <- svydesign(ids = ~1, weights = ~w, data = resp)
mb <- svymean(~yb1, desb); put("svy_yb1", coef(mb)); put("svy_yb1_se", SE(mb))
dd <- resp[!is.na(resp$y1) & !is.na(resp$y), ]
dd$change <- dd$y1 - dd$y
desc <- svydesign(ids = ~1, weights = ~w, data = dd)
mc <- svymean(~change, desc); put("svy_change", coef(mc)); put("svy_change_se", SE(mc))

# ---------------------------------------------------------------- power and MDE
put("mde_paired_dz", power.t.test(n = 494, sd = 1, power = .8, type = "paired",
                                  strict = TRUE)$delta)
put("mde_two_d", power.t.test(n = 150, sd = 1, power = .8, type = "two.sample",
                              strict = TRUE)$delta)
pw2 <- function(d, nx, ny, a = .05) {  # two-sided two-sample t, unequal n
  df <- nx + ny - 2; ncp <- d / sqrt(1 / nx + 1 / ny); q <- qt(1 - a / 2, df)
  pt(q, df, ncp, lower.tail = FALSE) + pt(-q, df, ncp)
}
put("mde_unequal_d", uniroot(function(d) pw2(d, 705, 512) - .8, c(.01, 2), tol = 1e-13)$root)
ba <- power.anova.test(groups = 3, n = 60, within.var = 1, power = .8)$between.var
put("mde_anova_f", sqrt(ba * (3 - 1) / 3))
pchi <- function(w, n, df, a = .05) pchisq(qchisq(1 - a, df), df, ncp = n * w^2, lower.tail = FALSE)
put("mde_chi2_w", uniroot(function(w) pchi(w, 400, 2) - .8, c(.001, 2), tol = 1e-13)$root)
w2 <- function(p0, p1, q0) { pb <- q0 * p0 + (1 - q0) * p1; sqrt(q0 * (1 - q0) * (p1 - p0)^2 / (pb * (1 - pb))) }
put("mde_share_up", uniroot(function(p1) pchi(w2(.3, p1, 705 / 1217), 1217, 1) - .8,
                            c(.3 + 1e-9, 1 - 1e-9), tol = 1e-13)$root - .3)
put("mde_share_down", uniroot(function(p1) pchi(w2(.3, p1, 705 / 1217), 1217, 1) - .8,
                              c(1e-9, .3 - 1e-9), tol = 1e-13)$root - .3)
put("n_two_d03", power.t.test(delta = .3, sd = 1, power = .8, strict = TRUE)$n)
put("n_paired_dz02", power.t.test(delta = .2, sd = 1, power = .8, type = "paired", strict = TRUE)$n)
put("n_anova_f025", power.anova.test(groups = 3, between.var = .25^2 * 3 / 2, within.var = 1,
                                     power = .8)$n)
put("n_chi2_w01", uniroot(function(n) pchi(.1, n, 2) - .8, c(10, 1e5), tol = 1e-10)$root)

values <- data.frame(name = names(out), value = sprintf("%.17g", unlist(out)))
write.csv(values, "r_compare_values.csv", row.names = FALSE)
cat(R.version.string, "geepack", as.character(packageVersion("geepack")), "lme4",
    as.character(packageVersion("lme4")), "survey", as.character(packageVersion("survey")), "\n")
