/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __VERSION_H
#define __VERSION_H

/* Also dkms.conf's PACKAGE_VERSION. */
#define OOMTRACE_VERSION "0.1"

#endif /* __VERSION_H */
