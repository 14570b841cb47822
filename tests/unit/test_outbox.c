/* Unit tests: message texts in three languages fit one SMS (70 Cyrillic
 * characters) with every district's name and every code word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "dispatch/outbox.h"
#include "geo/district.h"
#include "tests/unit/testutil.h"

static size_t
codepoints(const char *s)
{
	size_t	n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
test_texts_fit_one_sms(void **state)
{
	static const char *const words[] = { "no_vehicle", "no_bed", "no_escort",
	    "stalled_accepted", "stalled_en_route", "stalled_picked_up", "referral_unacknowledged",
	    "police", "medical", "social", "crisis_center", "legal", "psychological" };
	static const char *const langs[] = { "ky", "ru", "en" };
	struct districts	*kg = test_load_kg();
	const struct district	*d;
	struct outbox_say	 say;
	char			 text[512];
	size_t			 i, w, l, longest = 0;
	int			 m;

	(void)state;
	assert_non_null(kg);
	for (m = OUTBOX_OFFER; m <= OUTBOX_REFERRAL; m++) {
		for (l = 0; l < 3; l++) {
			for (i = 0; i < districts_count(kg); i++) {
				d = districts_at(kg, i);
				for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
					/* reasons go with escalations, kinds with referrals */
					if ((m == OUTBOX_ESCALATION && w >= 7) ||
					    (m == OUTBOX_REFERRAL && w < 7))
						continue;
					say.district = d->id;
					say.n = 12;
					say.word = words[w];
					outbox_format((enum outbox_msg)m, langs[l], l == 0 ? d->name_ky :
					    l == 1 ? d->name_ru : d->name, &say, text, sizeof(text));
					assert_null(strchr(text, '{'));
					if (l < 2 && codepoints(text) > 70)
						fail_msg("%zu characters: %s", codepoints(text), text);
					if (codepoints(text) > longest)
						longest = codepoints(text);
				}
			}
		}
	}
	printf("longest text: %zu characters\n", longest);
	outbox_format(OUTBOX_ESCALATION, "ru", "Бишкек", &(struct outbox_say){ "bishkek", 2,
	    "no_bed" }, text, sizeof(text));
	assert_string_equal(text, "Jardam: эскалация 2: нет места, Бишкек.");
	outbox_format(OUTBOX_OFFER, "en", "Bishkek", &(struct outbox_say){ "bishkek", 3, NULL },
	    text, sizeof(text));
	assert_string_equal(text, "Jardam: trip offer, Bishkek, 3 people. Answer by the link.");
	districts_free(kg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_texts_fit_one_sms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
