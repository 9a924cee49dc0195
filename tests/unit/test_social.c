/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * social_outside_contact: what health and income do to the contact chance
 * with ties outside the household (issue 16 item 8).
 */
#include <criterion/criterion.h>

#include "social.h"

static cw_params defaults(void)
{
    cw_params p;
    params_defaults(&p);
    return p;
}

Test(social, full_health_and_enough_income_leave_contact_alone)
{
    cw_params p = defaults();
    cr_assert_float_eq(social_outside_contact(&p, 1.0, 2.0 * p.life_poverty_line), 1.0, 1e-12);
}

Test(social, poor_health_limits_contact_in_proportion)
{
    cw_params p = defaults();
    p.social_health_contact_limit = 0.8;
    double income = 2.0 * p.life_poverty_line;
    cr_assert_float_eq(social_outside_contact(&p, 0.5, income), 1.0 - 0.8 * 0.5, 1e-12);
    cr_assert_float_eq(social_outside_contact(&p, 0.0, income), 0.2, 1e-12);
    cr_assert_float_eq(social_outside_contact(&p, -1.0, income), 0.2, 1e-12, "health clamped to [0,1]");
    p.social_health_contact_limit = 0.0;
    cr_assert_float_eq(social_outside_contact(&p, 0.0, income), 1.0, 1e-12, "neutral: no effect");
}

Test(social, income_under_the_poverty_line_multiplies_contact)
{
    cw_params p = defaults();
    p.social_poverty_contact_factor = 0.6;
    double poor = 0.5 * p.life_poverty_line, line = p.life_poverty_line;
    cr_assert_float_eq(social_outside_contact(&p, 1.0, poor), 0.6, 1e-12);
    cr_assert_float_eq(social_outside_contact(&p, 1.0, line), 1.0, 1e-12, "at the line: not under it");
    p.social_health_contact_limit = 0.5;
    cr_assert_float_eq(social_outside_contact(&p, 0.6, poor), 0.6 * (1.0 - 0.5 * 0.4), 1e-12, "the two multiply");
}
