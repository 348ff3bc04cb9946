/**
 * Leaving the app for another site (a platform's sign-in page). One object, so that a test can see
 * where the page would go: jsdom cannot follow a real navigation, and its `location` cannot be spied on.
 */
export const browserLocation = {
  assign(url: string): void {
    window.location.assign(url);
  },
};
